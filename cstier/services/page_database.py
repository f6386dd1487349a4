"""How a web host's database connections are set up: for pages rather than batch work."""

from sqlalchemy import Engine

from cstier.store.connections import serve_pages_serially


def plan_pages_serially(engine: Engine) -> None:
    """Plan every statement of this engine's new connections without parallel workers."""
    serve_pages_serially(engine)
