"""WSGI entry point: `gunicorn wsgi:app`."""

from cstier import create_app

app = create_app()
