"""Bulk assignment from a filtered account list: check accounts, pick a CSM or pool, give a reason."""

from flask import current_app, flash, redirect, render_template, request

from cstier.extensions import db
from cstier.services import users
from cstier.services.coverage import book, profiles, settings
from cstier.services.coverage.assign import Assignment, AssignmentRefused, assign_accounts
from cstier.services.errors import Conflict, NotFound, ValidationFailed
from cstier.web.accounts.filters import CSM_FILTER_OPTIONS, account_filter, filter_form
from cstier.web.accounts.forms import AccountFilterForm
from cstier.web.coverage.forms import AssignForm
from cstier.web.coverage.routes import bp
from cstier.web.current import MANAGERS, current_actor, roles_required
from cstier.web.query import id_arg, page_arg, text_arg

# A search for a CSM to assign to lists at most this many matches.
CSM_MATCHES = 50


def parse_picks(values: list[str]) -> dict[int, int]:
    """Return {account id: version seen} from 'id:version' checkbox values; skip garbage."""
    picks = {}
    for value in values:
        account_id, _, version = value.partition(":")
        if account_id.isdigit() and version.isdigit():
            picks[int(account_id)] = int(version)
    return picks


def _list_page(form: AccountFilterForm):
    stmt = book.assignable_query(
        db.session,
        current_actor(),
        account_filter(form),
        coverage_model_id=id_arg("model"),
        flagged=request.args.get("flagged") == "1",
    )
    return db.paginate(stmt, page=page_arg(), per_page=form.per_page.data or 50, max_per_page=200)


def assign_form(*shown_ids: int | None) -> AssignForm:
    """Build the assignment form; a large team's CSM select lists only the CSMs shown or posted.

    Its other CSMs are searched for (coverage.csm_matches): thousands of options rendered on
    every account page cost more than the page itself.
    """
    form = AssignForm()
    most = current_app.config.get("CSM_FILTER_OPTIONS", CSM_FILTER_OPTIONS)
    form.csm_options_lazy = users.csm_team_size(db.session) > most
    if form.csm_options_lazy:
        ids = dict.fromkeys(i for i in (form.csm_id.data, *shown_ids) if i)
        csms = [row for row in (users.csm_choice(db.session, i) for i in ids) if row]
    else:
        csms = users.csm_choices(db.session)
    form.csm_id.choices = [("", "— no CSM (pool only) —")] + [(u.id, u.name) for u in csms]
    form.pool_id.choices = [("", "— no pool —")] + [
        (p.id, p.name) for p in profiles.list_pools(db.session)
    ]
    return form


@bp.route("/assign", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def assign():
    """Filter the account list, check accounts and assign them to a CSM or pool with a reason."""
    form = assign_form()
    picks = parse_picks(request.form.getlist("pick"))
    status, refused = 200, None
    if request.method == "POST":
        next_url = request.form.get("next")
        if form.validate_on_submit():
            status, refused = _submit(form, picks)
            if status == 200:
                return redirect(next_url or request.full_path)
        else:
            status = 400
            for errors in form.errors.values():
                for message in errors:
                    flash(message, "danger")
        if next_url and next_url.startswith("/"):
            return redirect(next_url)
    filters, _ = filter_form(request.args)  # filters not understood are cleared, as on the list
    page = _list_page(filters)
    ids = [a.id for a in page.items]
    coverage = book.coverage_for(db.session, ids)
    return render_template(
        "coverage/assign.html",
        form=form,
        filters=filters,
        page=page,
        coverage=coverage,
        models=settings.list_models(db.session),
        checked=set(picks),
        refused=refused,
    ), status


@bp.route("/csm-matches")
@roles_required(*MANAGERS)
def csm_matches():
    """Return the CSMs whose name or email holds the search, as options of an assignment select."""
    search = text_arg("csm_search", max_length=120) or ""
    selected = id_arg("selected")
    csms = users.find_csms(db.session, search, CSM_MATCHES + 1)
    more = len(csms) > CSM_MATCHES
    csms = csms[:CSM_MATCHES]
    if not search and selected and selected not in {c.id for c in csms}:
        # Without a search the select keeps the CSM it showed.
        csms = [row for row in [users.csm_choice(db.session, selected)] if row] + csms
    return render_template(
        "coverage/_csm_matches.html", csms=csms, search=search, selected=selected, more=more
    )


def _submit(form: AssignForm, picks: dict[int, int]) -> tuple[int, AssignmentRefused | None]:
    """Call the service; flash the outcome; return the status and any refusal."""
    assignment = Assignment(
        csm_id=form.csm_id.data,
        pool_id=form.pool_id.data,
        reason=form.reason.data or "",
        override_reason=form.override_reason.data or None,
        handoff_due=form.handoff_due.data,
        handoff_notes=form.handoff_notes.data or "",
    )
    try:
        result = assign_accounts(
            db.session, current_actor(), list(picks), assignment, expected_versions=picks
        )
    except AssignmentRefused as exc:
        hint = " A manager override with a reason can pass this." if exc.overridable else ""
        flash(f"Nothing was assigned. {' '.join(exc.messages)}{hint}", "danger")
        return 400, exc
    except Conflict as exc:
        flash(str(exc), "danger")
        return 409, None
    except (ValidationFailed, NotFound) as exc:
        messages = [m for ms in getattr(exc, "errors", {}).values() for m in ms] or [str(exc)]
        flash("Nothing was assigned. " + " ".join(messages), "danger")
        return 400, None
    flash(
        f"Assigned {result.changed} accounts ({result.unchanged} already there); "
        f"{result.handoffs} handoffs opened.",
        "success",
    )
    return 200, None
