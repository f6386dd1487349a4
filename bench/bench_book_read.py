"""Time reading the book a tiering run evaluates: load_book over every active scheme's inputs.

Usage:
  python bench/bench_book_read.py [--database-url URL] [--repeat 3]

The default database is the 1M-account SQLite file bench/bench_tiering_run.py builds; a
SQLite file is opened read-only. Any URL works (`postgresql+psycopg://…`): the script
only reads. The best of `--repeat` runs is reported, as other work may share the machine.
"""

from __future__ import annotations

import argparse
import time

DEFAULT_DATABASE = "/tmp/cstier_bench_1000000.sqlite"


def read_only(url: str) -> str:
    """Return a SQLite URL that opens its file read-only; other URLs unchanged."""
    if not url.startswith("sqlite"):
        return url
    from sqlalchemy.engine import make_url

    path = make_url(url).database
    return f"sqlite:///file:{path}?mode=ro&uri=true"


def make_app(url: str):
    """Return an app bound to the benchmark database."""
    from cstier import create_app

    return create_app(test_config={"SQLALCHEMY_DATABASE_URI": url, "TESTING": False})


def book_columns(session) -> set[str]:
    """Return the fields the active schemes read, as a tiering run computes them."""
    from cstier.domain.tiering import input_columns
    from cstier.services.tiering.schemes import active_schemes, validate

    schemes = active_schemes(session)
    return set().union(*(input_columns(validate(session, s.current.definition)) for s in schemes))


def main() -> None:
    """Parse arguments, then time load_book and print the best run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=f"sqlite:///{DEFAULT_DATABASE}")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from cstier.extensions import db
    from cstier.services.tiering.fields import field_catalog, load_book

    app = make_app(read_only(args.database_url))
    with app.app_context():
        columns = book_columns(db.session)
        catalog = field_catalog(db.session)
        print(f"{db.engine.dialect.name}: {len(columns)} fields: {', '.join(sorted(columns))}")
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            # As a run reads it: this session has changed nothing, so the book is committed.
            book = load_book(db.session, columns, catalog, committed=True)
            times.append(time.perf_counter() - started)
            db.session.rollback()
        shown = ", ".join(f"{t:.2f}" for t in times)
        print(f"load_book: {len(book):,} accounts; best {min(times):.2f} s (runs: {shown} s)")


if __name__ == "__main__":
    main()
