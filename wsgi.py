"""WSGI entry point: `gunicorn wsgi:app`."""

import gc

from cstier import create_app
from cstier.web.page_database import tune_for_pages
from cstier.web.shared_state import require_shared_state

app = create_app()
require_shared_state(app)  # a web host that cannot count sign-ins in Redis does not start
tune_for_pages(app)
# The app's own objects (models, templates, metadata) live as long as the worker: keep them out
# of the collector's full passes, which otherwise stalled every few requests to scan them all.
gc.freeze()
