"""Stored scheme previews: the result, the moving accounts by page, and their export."""

from flask import Response, abort, render_template

from cstier.extensions import db
from cstier.services.errors import NotFound
from cstier.services.tiering import preview_store
from cstier.web.current import MANAGERS, current_actor, roles_required
from cstier.web.query import page_arg
from cstier.web.tiers.routes import bp


def _stored(preview_id: int) -> preview_store.StoredPreview:
    try:
        return preview_store.get_preview(db.session, current_actor(), preview_id)
    except NotFound:
        abort(404)


@bp.route("/previews/<int:preview_id>")
@roles_required(*MANAGERS)
def preview(preview_id: int):
    """Show what a previewed draft would move, as its job stored it."""
    stored = _stored(preview_id)
    moving = preview_store.moving_page(db.session, current_actor(), preview_id, 1)
    return render_template("tiers/preview.html", preview=stored, moving=moving)


@bp.route("/previews/<int:preview_id>/moving")
@roles_required(*MANAGERS)
def preview_moving(preview_id: int):
    """List the accounts a previewed draft would move, a page at a time, largest ARR first."""
    stored = _stored(preview_id)
    page_no = min(page_arg(), stored.pages)
    moving = preview_store.moving_page(db.session, current_actor(), preview_id, page_no)
    return render_template(
        "tiers/preview_moving.html", preview=stored, moving=moving, page_no=page_no
    )


@bp.route("/previews/<int:preview_id>/moving.csv")
@roles_required(*MANAGERS)
def preview_moving_csv(preview_id: int):
    """Download every account a previewed draft would move, as CSV."""
    _stored(preview_id)
    content = preview_store.moving_file(db.session, current_actor(), preview_id, "csv")
    name = f"preview-{preview_id}-moving.csv"
    return Response(
        content,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
