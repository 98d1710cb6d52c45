"""The HTTP API of the designer and of integrations (FastAPI). Build it with `api.app.create_app(settings)`."""
