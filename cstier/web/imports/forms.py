"""Import forms: the upload and the step that confirms a mapping."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, SelectField, SubmitField

from cstier.domain.imports import KINDS
from cstier.domain.imports.formats import DATE_ORDERS, DECIMAL_SEPARATORS

ENCODINGS = [
    ("", "UTF-8 (detected; with or without BOM)"),
    ("cp1252", "Windows-1252 (Excel on Windows)"),
    ("latin-1", "ISO-8859-1 (Latin-1)"),
    ("mac_roman", "Mac Roman"),
    ("utf-16", "UTF-16"),
]


class UploadForm(FlaskForm):
    """Choose what the file holds and send it."""

    kind = SelectField("What the file holds", choices=[(k, s.label) for k, s in KINDS.items()])
    file = FileField(
        "CSV or XLSX file",
        validators=[
            FileRequired("Choose a file."),
            FileAllowed(["csv", "tsv", "txt", "xlsx"], "Upload a .csv, .tsv, .txt or .xlsx file."),
        ],
    )
    encoding = SelectField("Encoding", choices=ENCODINGS, default="")
    submit = SubmitField("Upload and map columns")


class MappingForm(FlaskForm):
    """Carry the CSRF token and the re-tier choice; the column selects are read from the request."""

    retier = BooleanField("Re-tier the book after the import", default=True)
    date_format = SelectField(
        "Dates written like 03/04/2026 are",
        choices=[("", "not in the file (ISO or month names only)"), *DATE_ORDERS.items()],
        default="",
    )
    decimal_separator = SelectField(
        "Amounts are written", choices=list(DECIMAL_SEPARATORS.items()), default="."
    )
    companies = BooleanField("Create a company per account, named after it (no company column)")
    end_dates = SelectField(
        "Subscription end dates are",
        choices=[
            ("exclusive", "the first day without service (stored as they are)"),
            ("inclusive", "the last day of service (one day is added)"),
        ],
        default="exclusive",
    )
    preview = SubmitField("Preview (dry run)")
    apply = SubmitField("Apply import")
