"""WSGI entry point: `gunicorn wsgi:app`."""

import gc

from cstier import create_app
from cstier.web.page_database import tune_for_pages
from cstier.web.shared_state import require_shared_state

app = create_app()
require_shared_state(app)  # a web host that cannot count sign-ins in Redis does not start
tune_for_pages(app)
# Compile every template now: a worker's first view of a page compiled it, a 100 ms stall.
for name in app.jinja_env.list_templates(filter_func=lambda n: n.endswith(".html")):
    app.jinja_env.get_template(name)
# The app's own objects (models, templates, metadata) live as long as the worker: keep them out
# of the collector's full passes, which otherwise stalled every few requests to scan them all.
gc.freeze()
