"""Set a web host's database connections up for pages rather than batch work."""

from flask import Flask

from cstier.extensions import db
from cstier.services.page_database import plan_pages_serially


def tune_for_pages(app: Flask) -> None:
    """Plan the web host's statements serially; call before its first request."""
    with app.app_context():
        db.engine.dispose()  # connections opened while starting up get the setting too
        plan_pages_serially(db.engine)
