"""The database layer shared by the API and the FastAGI runtime: models, migrations and data functions.

Nothing here imports FastAPI; data functions take a SQLAlchemy `Session` and keyword-only arguments and raise
the errors drawn in `persistence.errors`.
"""
