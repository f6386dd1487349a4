"""No template holds an inline script or event handler: the content security policy would block it."""

import re

import pytest

from cstier.paths import TEMPLATES_DIR

TEMPLATES = sorted(TEMPLATES_DIR.rglob("*.html"))
# A <script> tag that neither loads a file nor only carries JSON data runs inline code.
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*\btype=[\"']application/json[\"'])[^>]*>", re.I
)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
SCRIPT_URL = re.compile(r"(href|src|action)\s*=\s*[\"']\s*javascript:", re.I)


def test_there_are_templates():
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES_DIR)))
def test_template_has_no_inline_script(template):
    text = template.read_text(encoding="utf-8")
    for pattern in (INLINE_SCRIPT, EVENT_HANDLER, SCRIPT_URL):
        found = pattern.search(text)
        assert found is None, f"{template.name}: {found.group(0)!r}; move it to cstier/static"


@pytest.mark.parametrize(
    "snippet",
    ["<script>alert(1)</script>", '<script type="module">x()</script>',
     '<a onclick="x()">', "<body onload='x()'>", '<a href="javascript:x()">'],
)  # fmt: skip
def test_the_check_finds_inline_code(snippet):
    assert any(p.search(snippet) for p in (INLINE_SCRIPT, EVENT_HANDLER, SCRIPT_URL))


@pytest.mark.parametrize(
    "snippet",
    ['<script src="/static/cstier.js"></script>', '<script type="application/json" id="d">{}</script>',
     '<canvas data-chart="moves" data-series=\'[]\'>', '<button data-online="x">'],
)  # fmt: skip
def test_the_check_allows_files_and_data(snippet):
    assert not any(p.search(snippet) for p in (INLINE_SCRIPT, EVENT_HANDLER, SCRIPT_URL))
