"""Handoffs for both CSMs, a CSM's own book, and the account page's coverage card."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from cstier.domain.permissions import can_manage_book
from cstier.extensions import db
from cstier.services.coverage import book, handoffs
from cstier.services.errors import Conflict, Forbidden, NotFound
from cstier.web.coverage.assign_views import assign_form
from cstier.web.coverage.forms import ActionForm, VersionedActionForm
from cstier.web.coverage.routes import bp
from cstier.web.current import current_actor
from cstier.web.query import page_arg, page_count

PER_PAGE = 50


@bp.route("/handoffs")
@login_required
def handoff_list():
    """List open handoffs: a CSM sees those they give or receive, others see all."""
    page_no = page_arg()
    page = handoffs.handoffs_page(
        db.session,
        current_actor(),
        (page_no - 1) * PER_PAGE,
        PER_PAGE,
        open_only=request.args.get("all") != "1",
    )
    if page_no > 1 and not page.rows:
        abort(404)  # past the end: the pager never links there
    return render_template(
        "coverage/handoffs.html", page=page, page_no=page_no, form=ActionForm(),
        handoffs=page.rows, names=handoffs.account_names(db.session, page.rows),
        pages=page_count(page.total, PER_PAGE),
    )  # fmt: skip


@bp.route("/handoffs/<int:handoff_id>/done", methods=["POST"])
@login_required
def complete_handoff(handoff_id: int):
    """Mark a handoff done."""
    form = VersionedActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        handoffs.complete_handoff(db.session, current_actor(), handoff_id, form.version.data)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    except Conflict as exc:
        flash(str(exc), "danger")
    else:
        flash("Handoff marked done.", "success")
    return redirect(url_for(".handoff_list"))


@bp.route("/book")
@login_required
def my_book():
    """Show a CSM's own book with coverage, and the pool queues they work from."""
    actor = current_actor()
    if actor.role != "csm":
        flash("“My book” is the CSM's view; the account list shows the whole book.", "info")
        return redirect(url_for("accounts.index"))
    page = db.paginate(book.my_book_query(actor), page=page_arg(), per_page=50, max_per_page=200)
    return render_template(
        "coverage/book.html",
        page=page,
        coverage=book.coverage_for(db.session, [a.id for a in page.items]),
        pools=book.pool_queues(db.session, actor),
        handoffs=handoffs.list_handoffs(db.session, actor),
    )


@bp.route("/accounts/<int:account_id>/panel")
@login_required
def account_panel(account_id: int):
    """Return the account page's coverage card (an htmx fragment)."""
    actor = current_actor()
    try:
        view = book.account_coverage(db.session, actor, account_id)
    except NotFound:
        abort(404)
    form = None
    if can_manage_book(actor):
        coverage = view.coverage
        chosen = (
            coverage.suggested_owner_id if coverage and coverage.suggested_owner_id else None
        ) or view.account.csm_id
        form = assign_form(chosen)
        form.csm_id.data = chosen
        form.pool_id.data = coverage.pool_id if coverage else None
    return render_template(
        "coverage/_panel.html", view=view, form=form, can_assign=form is not None
    )
