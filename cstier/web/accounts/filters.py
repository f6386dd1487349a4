"""The account list's filters, shared by the list, bulk assignment and exports."""

from collections.abc import Mapping

from flask import current_app

from cstier.extensions import db
from cstier.services import accounts, users
from cstier.services.accounts import AccountFilter
from cstier.web.accounts.forms import AccountFilterForm
from cstier.web.current import current_actor
from cstier.web.query import InvalidQuery, id_arg, parse_id, text_arg

# Past this many CSMs (config CSM_FILTER_OPTIONS) the list's CSM filter loads its options
# when opened.
CSM_FILTER_OPTIONS = 300


def filter_form(args: Mapping) -> tuple[AccountFilterForm, bool]:
    """Build the filter form with its choices; return it and whether every filter was understood.

    Filters that were not understood are cleared, so the list still shows rather than failing.
    """
    form = AccountFilterForm(args)
    choices = accounts.filter_choices(db.session, current_actor())
    form.region.choices += [(r, r) for r in choices["regions"]]
    form.industry.choices += [(i, i) for i in choices["industries"]]
    # A large team's options load when the filter is opened (accounts.csm_options): thousands
    # of options rendered on every page of the list cost more than the list itself.
    most = current_app.config.get("CSM_FILTER_OPTIONS", CSM_FILTER_OPTIONS)
    form.csm_options_lazy = users.csm_team_size(db.session) > most
    shown = (
        _chosen_csm(form.csm_id.data) if form.csm_options_lazy else users.csm_choices(db.session)
    )
    form.csm_id.choices += [("none", "Unassigned")] + [(str(u.id), u.name) for u in shown]
    form.coverage_model.choices += [(str(i), name) for i, name in choices["coverage_models"]]
    valid = form.validate()
    if not valid:
        for field in (
            form.arr_min,
            form.arr_max,
            form.per_page,
            form.renewal_from,
            form.renewal_to,
        ):
            field.data = None
    return form, valid


def _chosen_csm(selected: str | None) -> list:
    """Return the CSM the filter names, as its one option, if it names one."""
    try:
        chosen = parse_id(selected, "csm_id") if selected and selected != "none" else None
    except InvalidQuery:
        return []  # account_filter refuses it
    row = users.csm_choice(db.session, chosen) if chosen else None
    return [row] if row else []


def account_filter(form: AccountFilterForm) -> AccountFilter:
    """Return the service filter the form (plus the tier arguments of the URL) describes."""
    csm = form.csm_id.data or ""
    csm_id = None if csm in ("", "none") else parse_id(csm, "csm_id")
    coverage = form.coverage_model.data or ""
    return AccountFilter(
        q=form.q.data or None,
        lifecycle_stage=form.lifecycle_stage.data or None,
        region=form.region.data or None,
        industry=form.industry.data or None,
        plan=form.plan.data or None,
        csm_id=csm_id,
        unassigned=csm == "none",
        arr_min=float(form.arr_min.data) if form.arr_min.data is not None else None,
        arr_max=float(form.arr_max.data) if form.arr_max.data is not None else None,
        renewal_after=form.renewal_from.data,
        renewal_before=form.renewal_to.data,
        tier_scheme_id=id_arg("tier_scheme"),
        tier=text_arg("tier", max_length=60),
        coverage_model_id=parse_id(coverage, "coverage_model") if coverage else None,
        sort=form.sort.data or "name",
        descending=form.dir.data == "desc",
    )
