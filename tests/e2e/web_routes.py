"""Every GET route of the web UI, read from the app's URL map, and URLs built from them."""

import os
import re
import tempfile
from functools import cache
from urllib.parse import urlencode

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import Rule

from cstier import create_app

PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")

# String path values that reach a real page; ints come from the objects a test seeds.
STRING_PARAMS = {
    ("imports.export", "kind"): "accounts",
    ("imports.export", "fmt"): "csv",
    ("imports.template", "kind"): "accounts",
    ("imports.mapping", "token"): "a" * 43,
    ("weekly_reports.show", "week"): "2026-W02",
    ("weekly_reports.download", "week"): "2026-W02",
    ("weekly_reports.download", "fmt"): "csv",
    ("metrics.export", "table"): "trend",
    ("metrics.export", "fmt"): "csv",
}


@cache
def _rules() -> tuple[Rule, ...]:
    """Read the rules from a throwaway app (collection time: no test database yet)."""
    previous = os.environ.get("CSTIER_INSTANCE_PATH")
    with tempfile.TemporaryDirectory(prefix="cstier-rules-") as folder:
        os.environ["CSTIER_INSTANCE_PATH"] = folder
        try:
            app = create_app(test_config={"SQLALCHEMY_DATABASE_URI": "sqlite://"})
        finally:
            if previous is None:
                os.environ.pop("CSTIER_INSTANCE_PATH")
            else:
                os.environ["CSTIER_INSTANCE_PATH"] = previous
    return tuple(app.url_map.iter_rules())


def web_get_rules() -> list[Rule]:
    """Return every GET rule of the web UI (not the API, not static files), sorted by path."""
    rules = [
        r
        for r in _rules()
        if "GET" in r.methods
        and not r.rule.startswith("/api/")
        and not r.endpoint.startswith(("api", "bootstrap"))
        and r.endpoint != "static"
    ]
    return sorted(rules, key=lambda r: r.rule)


def int_params(rule: Rule) -> list[str]:
    """Return the names of the rule's integer path parameters."""
    return [name for converter, name in PARAM.findall(rule.rule) if converter == "int"]


def build(rule: Rule, values: dict[str, object], query: dict | None = None) -> str:
    """Fill the rule's path parameters from values (strings default to STRING_PARAMS), add a query."""

    def value(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        if name in values:
            return str(values[name])
        if converter == "int":
            raise KeyError(f"no value for {name} in {rule.rule}")
        return STRING_PARAMS[(rule.endpoint, name)]

    path = PARAM.sub(value, rule.rule)
    return f"{path}?{urlencode(query)}" if query else path


class RecordingArgs(ImmutableMultiDict):
    """Query arguments that note every name a view asks for in ARGS_READ."""

    def __contains__(self, key) -> bool:
        ARGS_READ.add(key)
        return super().__contains__(key)

    def __getitem__(self, key):
        ARGS_READ.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        ARGS_READ.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        ARGS_READ.add(key)
        return super().getlist(key, type)


ARGS_READ: set[str] = set()


class RecordingRequest(Request):
    """A request whose query arguments record the names read (set as an app's request_class)."""

    parameter_storage_class = RecordingArgs
