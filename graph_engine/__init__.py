"""The pure core of ivrgraph: the scenario document, its validation and the interpreter.

Nothing here opens a socket, touches a database or reads the clock: the host (the FastAGI server,
the API's simulator, a test) injects a `Channel` and the `Services` a call needs.
"""
