"""What a pg_dump archive holds, read from `pg_restore --list`, and what its restore may drop.

A restore checks the table of contents before anything changes: an archive without
cstier's schema revision and core tables, with their rows, is refused. It then drops only
the tables cstier knows and the objects the archive itself creates, so another
application's tables in a shared schema stay.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# Tables (and their rows) that every cstier backup holds; a restore refuses an archive without.
CORE_TABLES = ("alembic_version", "account", "company", "tier_scheme")

# One entry of the listing: "215; 1259 98447 TABLE public account owner" (the owner comes last).
ENTRY = re.compile(
    r"^\d+; \d+ \d+ (TABLE DATA|TABLE|VIEW|FUNCTION|SEQUENCE(?! OWNED BY | SET ))"
    r" (\S+) (.+) (\S+)$"
)
# cstier's own functions, with their arguments: dropped like its tables, archive or not, so a
# restore (and then `cstier db upgrade`) creates them again (migration 0041's mark trigger).
KNOWN_FUNCTIONS = ("cstier_mark_book_change()",)


@dataclass(frozen=True)
class ArchiveContents:
    """The archive's relations by kind, each as (schema, name)."""

    tables: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    table_data: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    views: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    sequences: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    functions: frozenset[tuple[str, str]] = field(default_factory=frozenset)  # "name(args)"


def read_contents(listing: str) -> ArchiveContents:
    """Return the relations a `pg_restore --list` table of contents says the archive creates."""
    found: dict[str, set[tuple[str, str]]] = {
        "TABLE": set(),
        "TABLE DATA": set(),
        "VIEW": set(),
        "SEQUENCE": set(),
        "FUNCTION": set(),
    }
    for line in listing.splitlines():
        entry = ENTRY.match(line)
        if entry:
            kind, schema, name, _owner = entry.groups()
            found[kind].add((schema, name))
    return ArchiveContents(
        tables=frozenset(found["TABLE"]),
        table_data=frozenset(found["TABLE DATA"]),
        views=frozenset(found["VIEW"]),
        sequences=frozenset(found["SEQUENCE"]),
        functions=frozenset(found["FUNCTION"]),
    )


def why_not_cstier(contents: ArchiveContents) -> str | None:
    """Return why the archive is not a full cstier backup, or None when it is one."""
    tables = {name for _schema, name in contents.tables}
    rows = {name for _schema, name in contents.table_data}
    no_table = [name for name in CORE_TABLES if name not in tables]
    if no_table:
        return f"no table {', '.join(no_table)}"
    no_rows = [name for name in CORE_TABLES if name not in rows]
    if no_rows:
        return f"no rows for {', '.join(no_rows)}: a schema-only dump?"
    return None


def drop_before_restore(known_tables: Iterable[str], contents: ArchiveContents) -> str:
    """Return SQL that drops cstier's tables in the current schema and what the archive creates.

    cstier's tables go even when the archive lacks them (a later release's), so `cstier db
    upgrade` can build them again; other tables of the schema are left alone.
    """
    names = ", ".join(_literal(name) for name in sorted({*known_tables, "alembic_version"}))
    statements = [
        "DO $drop$\nDECLARE name text;\nBEGIN\n"
        f"  FOREACH name IN ARRAY ARRAY[{names}]::text[] LOOP\n"
        "    EXECUTE format('DROP TABLE IF EXISTS %I.%I CASCADE', current_schema(), name);\n"
        "  END LOOP;\nEND $drop$;"
    ]
    for kind, relations in (
        ("VIEW", contents.views),
        ("TABLE", contents.tables),
        ("SEQUENCE", contents.sequences),
    ):
        statements += [f"DROP {kind} IF EXISTS {_qualified(r)} CASCADE;" for r in sorted(relations)]
    functions = {*contents.functions, *(("", f) for f in KNOWN_FUNCTIONS)}
    statements += [f"DROP FUNCTION IF EXISTS {_function(f)} CASCADE;" for f in sorted(functions)]
    return "\n".join(statements)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _function(function: tuple[str, str]) -> str:
    """Return a function's name, quoted and qualified (current schema when none), with its arguments."""
    schema, signature = function
    name, arguments = signature.split("(", 1)
    qualified = _qualified((schema, name)) if schema else '"' + name.replace('"', '""') + '"'
    return f"{qualified}({arguments}"


def _qualified(relation: tuple[str, str]) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in relation)
