"""Import and export pages: upload, map columns, preview, apply; templates and exports."""

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required

from cstier.domain.imports import KINDS
from cstier.domain.imports.mapping import ImportMapping
from cstier.domain.imports.sniff import EncodingRefused
from cstier.domain.imports.template import describe_type, template_csv
from cstier.extensions import db
from cstier.services import exports, workspace
from cstier.services.batch_sizes import batch_sizes
from cstier.services.errors import ValidationFailed
from cstier.services.imports import ImportRequest, import_file
from cstier.services.imports.offer import MappingOffer, offer_mapping
from cstier.services.imports.reader import ReadLimits, UnreadableFile, open_source
from cstier.services.imports.runs import recent_runs
from cstier.services.jobs import background
from cstier.web.accounts.filters import account_filter, filter_form
from cstier.web.current import MANAGERS, current_actor, roles_required
from cstier.web.imports.forms import MappingForm, UploadForm
from cstier.web.imports.mapping_form import created_attribute, posted_mapping
from cstier.web.imports.storage import (
    discard_upload,
    load_upload,
    release_upload_copies,
    save_upload,
)
from cstier.web.query import InvalidQuery, text_arg

bp = Blueprint("imports", __name__, url_prefix="/imports")
bp.teardown_request(release_upload_copies)

MEDIA_TYPES = {
    "csv": "text/csv",  # the response adds "; charset=utf-8" to a text type itself
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.route("/")
@login_required
def index():
    """Show the upload form, the templates with their columns, the exports and recent imports."""
    return _index(UploadForm())


def _index(form: UploadForm, status: int = 200):
    return render_template(
        "imports/index.html",
        form=form,
        kinds=KINDS,
        describe=describe_type,
        exports=exports.EXPORTS,
        segments=exports.segment_choices(db.session),
        runs=recent_runs(db.session, current_actor()),
        can_import=current_user.role in MANAGERS,
    ), status


@bp.route("/upload", methods=["POST"])
@roles_required(*MANAGERS)
def upload():
    """Store the uploaded file under a random name and go on to the column mapping."""
    form = UploadForm()
    if not form.validate_on_submit():
        for messages in form.errors.values():
            for message in messages:
                flash(message, "danger")
        return _index(form, 400)
    meta = {
        "kind": form.kind.data,
        "filename": form.file.data.filename or "upload",
        "encoding": form.encoding.data or None,
        "user_id": current_user.id,
    }
    token = save_upload(form.file.data, meta)
    return redirect(url_for(".mapping", token=token))


def _limits() -> ReadLimits:
    return ReadLimits.from_config(current_app.config)


def _offer(token: str, chosen: ImportMapping | None = None):
    """Return the stored upload's details and what the mapping page starts from."""
    path, meta = load_upload(token, current_user.id)
    offer = offer_mapping(db.session, meta["kind"], path, meta["encoding"], _limits(), chosen)
    return path, meta, offer


def _unreadable(token: str, exc: Exception):
    discard_upload(token)
    flash(str(exc), "danger")
    return _index(UploadForm(), 400)


def _mapping_page(token: str, meta: dict, offer, form: MappingForm, status: int = 200):
    kind = KINDS[meta["kind"]]
    if request.method == "GET":
        form.date_format.data = offer.mapping.date_order or ""
        form.decimal_separator.data = offer.mapping.decimal
        form.companies.data = offer.mapping.companies_from_accounts
    return render_template(
        "imports/mapping.html",
        token=token,
        meta=meta,
        kind=kind,
        offer=offer,
        rows=[(i, h, offer.mapping.columns.get(h, "")) for i, h in enumerate(offer.headers)],
        form=form,
    ), status


@bp.route("/<token>/mapping")
@roles_required(*MANAGERS)
def mapping(token: str):
    """Show each column of the file with the column it will feed: saved, named or a synonym."""
    try:
        _, meta, offer = _offer(token)
    except (EncodingRefused, UnreadableFile) as exc:
        return _unreadable(token, exc)
    return _mapping_page(token, meta, offer, MappingForm())


def _form_errors(form: MappingForm) -> None:
    for name, messages in form.errors.items():
        for message in messages:
            label = form[name].label.text if name in form else name
            flash(f"{label}: {message}", "danger")


@bp.route("/<token>/attribute", methods=["POST"])
@roles_required(*MANAGERS)
def attribute(token: str):
    """Create the custom attribute a column of the file asked for, then map the column to it."""
    form = MappingForm()
    path, meta = load_upload(token, current_user.id)
    try:
        headers = open_source(path, meta["encoding"], _limits()).headers
    except (EncodingRefused, UnreadableFile) as exc:
        return _unreadable(token, exc)
    kind = KINDS[meta["kind"]]
    chosen = posted_mapping(request.form, kind, headers)
    asked = created_attribute(request.form, headers)
    status = 400
    if not form.validate_on_submit():
        _form_errors(form)
    elif asked is None or not kind.allows_attributes:
        flash("Choose the column to create an attribute for.", "danger")
    else:
        index, values = asked
        try:
            created = workspace.define_attribute(db.session, current_actor(), **values)
        except ValidationFailed as exc:
            for field, messages in exc.errors.items():
                for message in messages:
                    flash(f"Column {headers[index]!r}, attribute {field}: {message}", "danger")
        else:
            chosen.columns[headers[index]] = f"attr.{created.key}"
            flash(f"Created attribute {created.key} ({created.data_type}).", "success")
            status = 200
    offer = offer_mapping(db.session, meta["kind"], path, meta["encoding"], _limits(), chosen)
    return _mapping_page(token, meta, offer, form, status)


@bp.route("/<token>/run", methods=["POST"])
@roles_required(*MANAGERS)
def run(token: str):
    """Preview (dry run) or apply the import with the chosen mapping."""
    form = MappingForm()
    path, meta = load_upload(token, current_user.id)
    try:
        headers = open_source(path, meta["encoding"], _limits()).headers
    except (EncodingRefused, UnreadableFile) as exc:
        return _unreadable(token, exc)
    chosen = posted_mapping(request.form, KINDS[meta["kind"]], headers)
    if not form.validate_on_submit():
        _form_errors(form)
        offer = offer_mapping(db.session, meta["kind"], path, meta["encoding"], _limits(), chosen)
        return _mapping_page(token, meta, offer, form, 400)
    if form.apply.data:
        # Applying runs in the scheduler process, on any host; the upload stays until applied.
        job = background.enqueue(
            db.session,
            current_actor(),
            "import",
            {
                "kind": meta["kind"],
                "upload": token,
                "filename": meta["filename"],
                "mapping": chosen.as_json(),
                "encoding": meta["encoding"],
                "retier": bool(form.retier.data),
                "end_dates": form.end_dates.data,
            },
        )
        return redirect(url_for("jobs.job", job_id=job.id))
    outcome = import_file(
        db.session,
        ImportRequest(
            meta["kind"],
            path,
            meta["filename"],
            actor=current_actor(),
            dry_run=True,
            mapping=chosen,
            encoding=meta["encoding"],
            retier=form.retier.data,
            end_dates=form.end_dates.data,
            limits=_limits(),
            sizes=batch_sizes(current_app.config),
        ),
    )
    return render_template(
        "imports/preview.html",
        token=token,
        meta=meta,
        kind=KINDS[meta["kind"]],
        outcome=outcome,
        offer=_preview_offer(headers, chosen),
        rows=[(i, h, chosen.columns.get(h, "")) for i, h in enumerate(headers)],
        form=form,
    ), (200 if outcome.ok else 400)


def _preview_offer(headers: list[str], chosen: ImportMapping) -> MappingOffer:
    """Return what the preview's mapping fields show again: the mapping as posted."""
    return MappingOffer(headers, chosen, attributes=[], guesses={}, saved=False)


@bp.route("/templates/<kind>.csv")
@login_required
def template(kind: str):
    """Download an example CSV with the documented columns of one kind."""
    if kind not in KINDS:
        return render_template(
            "errors/error.html", status=404, title="Not found", message=f"No import kind {kind!r}."
        ), 404
    return Response(
        template_csv(KINDS[kind]),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{kind}-template.csv"'},
    )


@bp.route("/export/<kind>.<fmt>")
@login_required
def export(kind: str, fmt: str):
    """Download an export; the accounts export keeps the account list's filters."""
    if kind not in exports.EXPORTS or fmt not in MEDIA_TYPES:
        return render_template(
            "errors/error.html", status=404, title="Not found", message="No such export."
        ), 404
    form, valid = filter_form(request.args)
    if not valid:
        # An export with a filter dropped would hold more than the user asked for.
        problems = "; ".join(
            f"{form[name].label.text}: {' '.join(errors)}" for name, errors in form.errors.items()
        )
        raise InvalidQuery(f"The export's filters were not understood ({problems}).")
    try:
        pages = exports.pages(
            db.session,
            current_actor(),
            kind,
            account_filter(form),
            scheme_key=text_arg("scheme"),
            tier=text_arg("tier"),
        )
    except exports.ExportRefused as exc:
        flash(str(exc), "danger")
        return redirect(url_for(".index"))
    # Streamed a page of rows at a time: a book-sized export never sits whole in a worker.
    return Response(
        stream_with_context(exports.render_pages(pages, fmt)),
        mimetype=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{kind}.{fmt}"'},
    )
