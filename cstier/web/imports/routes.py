"""Import and export pages: upload, map columns, preview, apply; templates and exports."""

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from cstier.domain.imports import KINDS
from cstier.domain.imports.headers import suggest
from cstier.domain.imports.sniff import EncodingRefused
from cstier.domain.imports.template import describe_type, template_csv
from cstier.extensions import db
from cstier.services import exports
from cstier.services.batch_sizes import batch_sizes
from cstier.services.imports import ImportRequest, import_file
from cstier.services.imports.reader import ReadLimits, UnreadableFile, open_source
from cstier.services.imports.runs import recent_runs
from cstier.services.jobs import background
from cstier.web.accounts.filters import account_filter, filter_form
from cstier.web.current import MANAGERS, current_actor, roles_required
from cstier.web.imports.forms import MappingForm, UploadForm
from cstier.web.imports.storage import discard_upload, load_upload, save_upload, upload_files
from cstier.web.query import InvalidQuery, text_arg

bp = Blueprint("imports", __name__, url_prefix="/imports")

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
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


def _headers(token: str) -> tuple[list[str], dict]:
    path, meta = load_upload(token, current_user.id)
    return open_source(path, meta["encoding"], _limits()).headers, meta


@bp.route("/<token>/mapping")
@roles_required(*MANAGERS)
def mapping(token: str):
    """Show each column of the file with the column it will feed."""
    try:
        headers, meta = _headers(token)
    except (EncodingRefused, UnreadableFile) as exc:
        discard_upload(token)
        flash(str(exc), "danger")
        return _index(UploadForm(), 400)
    kind = KINDS[meta["kind"]]
    return render_template(
        "imports/mapping.html",
        token=token,
        meta=meta,
        kind=kind,
        headers=list(enumerate(headers)),
        suggested=suggest(kind, headers),
        form=MappingForm(),
    )


def _chosen_mapping(headers: list[str]) -> dict[str, str]:
    return {h: request.form.get(f"map-{i}", "") for i, h in enumerate(headers)}


@bp.route("/<token>/run", methods=["POST"])
@roles_required(*MANAGERS)
def run(token: str):
    """Preview (dry run) or apply the import with the chosen mapping."""
    form = MappingForm()
    if not form.validate_on_submit():
        return redirect(url_for(".mapping", token=token))
    path, meta = load_upload(token, current_user.id)
    try:
        headers = open_source(path, meta["encoding"], _limits()).headers
    except (EncodingRefused, UnreadableFile) as exc:
        discard_upload(token)
        flash(str(exc), "danger")
        return _index(UploadForm(), 400)
    chosen = _chosen_mapping(headers)
    if form.apply.data:
        # Applying runs in the scheduler process; the upload stays until it is abandoned.
        job = background.enqueue(
            db.session,
            current_actor(),
            "import",
            {
                "kind": meta["kind"],
                "path": str(path),
                "filename": meta["filename"],
                "mapping": chosen,
                "encoding": meta["encoding"],
                "retier": bool(form.retier.data),
                "discard": upload_files(token),
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
        chosen=list(enumerate(chosen.items())),
        form=form,
    ), (200 if outcome.ok else 400)


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
        frame = exports.build(
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
    return Response(
        exports.render(frame, fmt),
        mimetype=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{kind}.{fmt}"'},
    )
