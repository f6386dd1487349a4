"""The one bench command runs every stage on a tiny book and writes its figures, so it never rots."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
STAGES = (
    "import", "build", "retier", "metrics", "health", "report", "suggest", "alerts", "preview",
    "export",
)  # fmt: skip


def bench(*options: str) -> subprocess.CompletedProcess:
    """Run bench/run.py with the options and return its finished process."""
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), *options],
        capture_output=True, text=True, cwd=ROOT, check=False, timeout=1200,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip


def own_postgres_database() -> str | None:
    """Return a PostgreSQL database of this test's own beside the test database, if one is set."""
    url = os.environ.get("CSTIER_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return None
    parsed = make_url(url)
    name = f"{parsed.database}_bench_run"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).first():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def database_url(tmp_path) -> str:
    """Return the engine under test: PostgreSQL when the suite runs on it, else a SQLite file."""
    return own_postgres_database() or f"sqlite:///{tmp_path / 'bench.sqlite'}"


def test_tiny_book_times_every_stage_and_writes_its_figures(tmp_path, database_url):
    done = bench("--scale", "tiny", "--database-url", database_url, "--results-dir", str(tmp_path))

    assert done.returncode == 0, done.stderr[-3000:]
    engine = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    [written] = tmp_path.glob(f"*-{engine}-tiny.json")
    record = json.loads(written.read_text())
    assert record["accounts"] == 200
    assert record["machine_before"]["cores"] == os.cpu_count()
    assert set(record["stages"]) == set(STAGES)
    for name, figures in record["stages"].items():
        assert figures["seconds"] > 0, name
        assert figures["rows"] > 0, name
        assert figures["peak_mb"] > 0, name
    retier = record["stages"]["retier"]
    assert retier["orm_loop_ratio"] == pytest.approx(retier["orm_loop_seconds"] / retier["seconds"])
    assert retier["floor_ratio"] == pytest.approx(retier["seconds"] / retier["floor_seconds"])
    assert record["stages"]["metrics"]["read_ratio"] > 0
    assert record["stages"]["build"]["runs"] == 12
    assert 0 < record["stages"]["build"]["load_seconds"] < record["stages"]["build"]["seconds"]
    assert record["finished"] is True
    assert record["stages"]["alerts"]["notifications"] > 0
    preview = record["stages"]["preview"]
    assert preview["dry_run_ratio"] == pytest.approx(preview["seconds"] / preview["dry_run"])
    assert record["stages"]["export"]["megabytes"] > 0
    assert record["book"] == "demo"
    assert "retier" in done.stdout and "rows/s" in done.stdout


def test_the_tiering_book_is_built_and_timed_under_its_own_name(tmp_path, database_url):
    stages = "build,retier,report"
    done = bench("--scale", "tiny", "--book", "tiering", "--stages", stages,
                 "--database-url", database_url, "--results-dir", str(tmp_path))  # fmt: skip

    assert done.returncode == 0, done.stderr[-3000:]
    [written] = tmp_path.glob("*-tiny-tiering.json")
    record = json.loads(written.read_text())
    assert record["book"] == "tiering"
    assert list(record["stages"]) == stages.split(",")
    assert record["stages"]["build"]["seconds"] > 0
    assert record["stages"]["retier"]["changes"] > 0
    assert record["stages"]["report"]["peak_mb"] > 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--scale", "2m"], "invalid choice: '2m'"),
        (["--scale", "tiny", "--book", "mine"], "invalid choice: 'mine'"),
        (["--scale", "tiny", "--stages", "import,warp"], "unknown stages warp"),
        ([], "the following arguments are required: --scale"),
    ],
)
def test_bad_options_are_refused_and_nothing_is_written(tmp_path, options, message):
    done = bench(*options, "--results-dir", str(tmp_path), "--database-url",
                 f"sqlite:///{tmp_path / 'untouched.sqlite'}")  # fmt: skip

    assert done.returncode == 2
    assert message in done.stderr
    assert list(tmp_path.iterdir()) == []
