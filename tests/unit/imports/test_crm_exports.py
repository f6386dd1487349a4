"""A CRM export as it is: header synonyms, written dates and amounts, mappings, grouped errors."""

import pandas as pd
import pytest

from cstier.domain.customer import choices_text, split_choices
from cstier.domain.imports import KINDS, ErrorList, RowError
from cstier.domain.imports.attributes import attribute_key, guess_type
from cstier.domain.imports.cells import parse_date, parse_float, parse_money
from cstier.domain.imports.formats import AMBIGUOUS_DATE, PLAIN, CellFormats, FormatRefused
from cstier.domain.imports.headers import resolve, suggest
from cstier.domain.imports.mapping import ImportMapping, MappingRefused

CRM_HEADERS = [
    "Customer ID",
    "Account Name",
    "ARR (USD)",
    "CSM Email",
    "Renewal Date",
    "Contract Start",
    "Tier",
    "Status",
    "Health Score",
]


def column(*cells: str) -> pd.Series:
    return pd.Series(list(cells), index=range(2, len(cells) + 2), dtype=object)


def test_crm_headers_match_their_columns_ignoring_case_space_and_punctuation():
    assert suggest(KINDS["accounts"], CRM_HEADERS) == {
        "Customer ID": "external_id",
        "Account Name": "name",
        "ARR (USD)": "arr",
        "CSM Email": "csm_email",
        "Renewal Date": "renewal_date",
        "Contract Start": "contract_start_date",
        "Tier": "plan",
        "Status": "lifecycle_stage",
        "Health Score": "",
    }


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("customer_id", "external_id"),
        ("ACCOUNT-ID", "external_id"),
        ("Annual Recurring Revenue", "arr"),
        ("Customer Name", "name"),
        ("Owner Email", "csm_email"),
        ("Contract End", "renewal_date"),
        ("Plan", "plan"),
        ("\ufeffARR [EUR]", "arr"),
    ],
)
def test_synonyms_of_accounts(header, column):
    assert suggest(KINDS["accounts"], [header])[header] == column


def test_the_same_words_name_the_owner_in_other_kinds():
    assert suggest(KINDS["subscriptions"], ["Account ID"]) == {"Account ID": "account_external_id"}


def test_an_exact_column_name_wins_over_a_synonym_and_no_column_is_fed_twice():
    guesses = suggest(KINDS["accounts"], ["Customer ID", "external_id", "Account ID"])
    assert guesses == {"Customer ID": "", "external_id": "external_id", "Account ID": ""}


def test_a_saved_choice_wins_over_the_synonyms():
    saved = {"Customer ID": "", "Legacy Key": "external_id"}
    guesses = suggest(KINDS["accounts"], ["Customer ID", "Legacy Key"], saved)
    assert guesses == {"Customer ID": "", "Legacy Key": "external_id"}


@pytest.mark.parametrize(
    ("text", "decimal", "cents"),
    [
        ("$1,234.50", ".", 123450),
        ("USD 1,234.50", ".", 123450),
        ("1 234.50", ".", 123450),
        ("€ 1.234,50", ",", 123450),
        ("1 234,50", ",", 123450),
        ("1\u00a0234,5 €", ",", 123450),
        ("1.234", ",", 123400),
        ("£12", ".", 1200),
        ("US$ 12", ".", 1200),
    ],
)
def test_money_with_symbols_and_separators(text, decimal, cents):
    values, reasons = parse_money(column(text), CellFormats(decimal=decimal))
    assert int(values[2]) == cents and pd.isna(reasons[2])


@pytest.mark.parametrize(
    ("text", "decimal", "reason"),
    [
        ("12 XYZ", ".", "unknown currency or format"),
        ("1.234,50", ".", "unknown currency or format"),
        ("1,23", ".", "unknown currency or format"),
        ("-$5", ".", "money cannot be negative"),
        ("$-5", ".", "money cannot be negative"),
        ("($5.00)", ".", "money cannot be negative"),
        ("1,234.567", ".", "at most two decimals"),
    ],
)
def test_money_that_cannot_be_read_says_why(text, decimal, reason):
    values, reasons = parse_money(column(text), CellFormats(decimal=decimal))
    assert pd.isna(values[2]) and reason in reasons[2]


def test_numbers_take_thousands_separators_and_a_decimal_comma():
    values, reasons = parse_float(column("1,234.5", "7"), PLAIN)
    assert values.tolist() == [1234.5, 7.0] and reasons.isna().all()
    values, _ = parse_float(column("1.234,5"), CellFormats(decimal=","))
    assert values[2] == 1234.5


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("03/04/2026", "DMY", "2026-04-03"),
        ("03/04/2026", "MDY", "2026-03-04"),
        ("31.01.2026", "DMY", "2026-01-31"),
        ("1/31/26", "MDY", "2026-01-31"),
        ("31 Jan 2026", None, "2026-01-31"),
        ("January 31, 2026", None, "2026-01-31"),
        ("2026/01/31", None, "2026-01-31"),
    ],
)
def test_dates_in_common_formats(text, order, expected):
    values, reasons = parse_date(column(text), CellFormats(date_order=order))
    assert values[2] == pd.Timestamp(expected) and pd.isna(reasons[2])


@pytest.mark.parametrize("text", ["03/04/2026", "31/01/2026", "12-11-2026"])
def test_day_month_dates_are_never_guessed(text):
    values, reasons = parse_date(column("2026-01-01", text))
    assert pd.isna(values[3]) and reasons[3] == AMBIGUOUS_DATE
    assert values[2] == pd.Timestamp("2026-01-01")


def test_a_date_impossible_in_the_chosen_order_is_refused():
    _, reasons = parse_date(column("31/01/2026"), CellFormats(date_order="MDY"))
    assert reasons[2] == "not a date in the chosen format M/D/Y"


@pytest.mark.parametrize(
    "formats", [{"date_order": "YDM"}, {"decimal": ";"}], ids=["date order", "decimal"]
)
def test_unknown_formats_are_refused(formats):
    with pytest.raises(FormatRefused):
        CellFormats(**formats)


def test_a_mapping_file_in_both_forms():
    old = ImportMapping.from_json({"ID": "external_id", "Colour": ""})
    assert old.columns == {"ID": "external_id", "Colour": ""} and not old.constants
    new = ImportMapping.from_json(
        {
            "columns": {"Customer ID": "external_id"},
            "constants": {"unit_type": "company"},
            "defaults": {"lifecycle_stage": "active"},
            "date_format": "DMY",
            "decimal_separator": ",",
            "companies": "from_accounts",
        }
    )
    assert new.formats == CellFormats("DMY", ",") and new.companies_from_accounts
    assert ImportMapping.from_json(new.as_json()) == new


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a JSON object"),
        ({"columns": {}, "constant": {}}, "Unknown key 'constant'"),
        ({"columns": {}, "date_format": "DD/MM"}, "Unknown date_format"),
        ({"columns": {}, "decimal_separator": "'"}, "Unknown decimal_separator"),
        ({"columns": {}, "companies": "yes"}, "Unknown companies"),
        ({"columns": {"ID": ["external_id"]}}, "must map to text"),
    ],
)
def test_a_bad_mapping_file_says_what_to_fix(data, message):
    with pytest.raises(MappingRefused, match=message):
        ImportMapping.from_json(data)


def test_constants_defaults_and_companies_feed_required_columns():
    mapping = ImportMapping(
        columns={"Customer ID": "external_id", "Account Name": "name"},
        constants={"unit_type": "company"},
        defaults={"lifecycle_stage": "active"},
        companies_from_accounts=True,
    )
    resolved = resolve(KINDS["accounts"], ["Customer ID", "Account Name"], mapping)
    assert not resolved.missing and not resolved.problems
    assert resolved.present >= {"unit_type", "lifecycle_stage", "company_external_id"}
    assert resolved.file_names()["external_id"] == "Customer ID"
    assert resolved.file_names()["unit_type"] == "unit_type (set by the mapping)"


@pytest.mark.parametrize(
    ("mapping", "problem"),
    [
        (ImportMapping(constants={"colour": "red"}), ("constant colour", "colour", "no column")),
        (ImportMapping(columns={"Gone": "name"}), ("Gone", "name", "a column the file lacks")),
        (ImportMapping(columns={"ID": "nickname"}), ("ID", "nickname", "no column 'nickname'")),
        (
            ImportMapping(columns={"ID": "attr.Bad Key"}),
            ("ID", "attr.Bad Key", "not a valid custom attribute key"),
        ),
        (
            ImportMapping(columns={"ID": "external_id"}, constants={"external_id": "X"}),
            ("ID", "external_id", "set by a constant and by a column"),
        ),
    ],
    ids=["unknown constant", "absent header", "unknown column", "bad attribute key", "both"],
)
def test_a_mapping_that_cannot_apply_names_the_problem(mapping, problem):
    resolved = resolve(KINDS["accounts"], ["ID"], mapping)
    column, value, reason = resolved.problems[0]
    assert (column, value) == problem[:2] and problem[2] in reason


def test_ignoring_a_header_the_file_lacks_is_no_problem():
    assert not resolve(KINDS["accounts"], ["ID"], ImportMapping(columns={"Gone": ""})).problems


def test_errors_are_grouped_by_reason_with_counts_before_examples():
    errors = ErrorList()
    reason = "no custom attribute with this key"
    for name in ("attr.a", "attr.b"):
        cells = pd.Series(["x"] * 700, index=range(2, 702))
        errors.add_column(name, cells, pd.Series(reason, index=cells.index))
    errors.add(RowError(5, "arr", "-1", "money cannot be negative"))
    renamed = errors.renamed({"attr.a": "Colour", "arr": "ARR (USD)"})
    groups = renamed.groups()
    assert [g["summary"] for g in groups] == [
        f"1,400 cells in 2 columns: {reason}",
        "1 cell in ARR (USD): money cannot be negative",
    ]
    assert groups[0]["columns"] == {"Colour": 700, "attr.b": 700}
    assert len(renamed.items) == 1000 and renamed.total == 1401
    assert renamed.items[0].column == "Colour"


@pytest.mark.parametrize(
    ("header", "key"),
    [("Health Score", "health_score"), ("NPS (0-10)", "nps_0_10"), ("2FA?", "attr_2fa")],
)
def test_attribute_keys_from_headers(header, key):
    assert attribute_key(header) == key


@pytest.mark.parametrize(
    ("cells", "guess"),
    [
        (["yes", "no", ""], ("boolean", [])),
        (["1,200", "7.5"], ("number", [])),
        (["2026-01-31", "31 Jan 2026"], ("date", [])),
        (["Gold, plus", "Silver", "Gold, plus", "Silver"], ("choice", ["Gold, plus", "Silver"])),
        (["a", "b", "c"], ("text", [])),
    ],
)
def test_attribute_types_are_guessed_from_the_cells(cells, guess):
    assert guess_type(pd.Series(cells, dtype=object), PLAIN) == guess


@pytest.mark.parametrize(
    ("text", "choices"),
    [
        ("a, b", ["a", "b"]),
        ("Good, strong\nWeak\n", ["Good, strong", "Weak"]),
        ("Good, strong\r\n", ["Good, strong"]),
        (" , ", []),
    ],
)
def test_typed_choices_one_per_line_or_comma_separated(text, choices):
    assert split_choices(text) == choices
    assert split_choices(choices_text(choices)) == choices


def test_errors_about_the_file_name_their_columns_not_cells():
    errors = ErrorList()
    for column in ("unit_type", "lifecycle_stage"):
        errors.add(RowError(None, column, "", "required column is missing"))
    assert errors.renamed({}).groups()[0]["summary"] == (
        "unit_type, lifecycle_stage: required column is missing"
    )
