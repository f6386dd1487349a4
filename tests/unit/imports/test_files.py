"""Encoding and delimiter sniffing, header mapping, templates and formula escaping."""

import pandas as pd
import pytest

from cstier.domain.imports import KINDS, escape_cell, escape_frame
from cstier.domain.imports.escape import unescape_text
from cstier.domain.imports.headers import resolve
from cstier.domain.imports.sniff import EncodingRefused, detect_delimiter, detect_encoding
from cstier.domain.imports.template import template_csv


def test_utf8_with_and_without_bom_reads_as_utf8_sig():
    assert detect_encoding("\ufeffname\n".encode()) == "utf-8-sig"
    assert detect_encoding(b"name\n") == "utf-8-sig"


def test_non_utf8_is_refused_with_advice():
    with pytest.raises(EncodingRefused, match="cp1252"):
        detect_encoding("Café".encode("cp1252"))


def test_a_chosen_encoding_is_used():
    assert detect_encoding("Café".encode("cp1252"), "cp1252") == "cp1252"


@pytest.mark.parametrize(("line", "delimiter"), [("a,b,c", ","), ("a;b;c", ";"), ("a\tb\tc", "\t")])
def test_delimiters_are_detected(line, delimiter):
    assert detect_delimiter(line) == delimiter


def test_headers_map_case_and_spacing_and_report_missing():
    mapping = resolve(KINDS["departments"], ["External ID", "Name", "Colour"], None)
    assert mapping.columns == {"External ID": "external_id", "Name": "name"}
    assert mapping.ignored == ["Colour"]
    assert mapping.missing == ["company_external_id"]


def test_user_mapping_overrides_the_guess():
    mapping = resolve(
        KINDS["departments"],
        ["id", "org", "name"],
        {"id": "external_id", "org": "company_external_id"},
    )
    assert not mapping.missing


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_escaped(cell):
    assert escape_cell(cell) == "'" + cell
    escaped = escape_frame(pd.DataFrame({"c": [cell, "safe"]}))
    assert escaped["c"].tolist() == ["'" + cell, "safe"]


def test_escaping_round_trips():
    cells = pd.Series(["'=1+1", "'-2", "'quoted", "plain"])
    assert unescape_text(cells).tolist() == ["=1+1", "-2", "'quoted", "plain"]


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_has_a_template_with_its_columns(kind):
    header = template_csv(KINDS[kind]).splitlines()[0]
    assert header.split(",") == KINDS[kind].names
