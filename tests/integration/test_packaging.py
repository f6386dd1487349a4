"""A wheel built from pyproject.toml carries templates, static assets and migrations."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
    )
    (wheel,) = out.glob("cstier-*.whl")
    return set(zipfile.ZipFile(wheel).namelist())


@pytest.mark.parametrize(
    "path",
    [
        "cstier/templates/base.html",
        "cstier/templates/accounts/index.html",
        "cstier/migrations/env.py",
        "cstier/migrations/alembic.ini",
        "cstier/migrations/versions/0001_customer_model.py",
        "cstier/static/vendor/chart.umd.min.js",
        "cstier/static/vendor/htmx.min.js",
        "cstier/static/cstier.js",
        "cstier/static/charts.js",
        "config.py",
        "wsgi.py",
    ],
)
def test_wheel_contains(wheel_names, path):
    assert path in wheel_names
