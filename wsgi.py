"""WSGI entry point: `gunicorn wsgi:app`."""

import gc

from cstier import create_app

app = create_app()
# The app's own objects (models, templates, metadata) live as long as the worker: keep them out
# of the collector's full passes, which otherwise stalled every few requests to scan them all.
gc.freeze()
