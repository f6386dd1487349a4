"""The production shape is one story: README, compose file, Dockerfile and systemd units agree.

Images cannot be pulled where the tests run, so the files are read and compared instead.
"""

import configparser
import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"


def readme_production() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("\n## Production")
    return text[start : text.index("\n## ", start + 1)]


def readme_processes() -> set[str]:
    """Return the commands the README's **Processes.** paragraph names."""
    section = readme_production()
    paragraph = section[section.index("**Processes.**") :].split("\n\n")[0]
    spans = [" ".join(span.split()) for span in re.findall(r"`([^`]+)`", paragraph)]
    return {span for span in spans if span.split()[0] in ("gunicorn", "cstier")} - {
        "cstier db backup PATH",
        "cstier db restore PATH",
    }


def command(value: str | list[str]) -> str:
    """Return a command as one normalised line, the executable without its folder."""
    words = shlex.split(value) if isinstance(value, str) else list(value)
    return " ".join([Path(words[0]).name, *words[1:]])


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def app_services() -> dict[str, dict]:
    """Return the compose services that run the cstier image."""
    return {
        name: service
        for name, service in compose()["services"].items()
        if service.get("image") == "cstier:latest"
    }


def unit(name: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str
    parser.read(UNITS / name, encoding="utf-8")
    return parser


def process_units() -> dict[str, configparser.RawConfigParser]:
    """Return the units started at boot (the processes, not the backup the timer starts)."""
    found = {path.name: unit(path.name) for path in sorted(UNITS.glob("*.service"))}
    return {name: u for name, u in found.items() if u.has_section("Install")}


def test_the_readme_names_the_web_the_scheduler_and_the_migration():
    processes = readme_processes()

    assert processes == {
        "cstier db upgrade",
        "gunicorn --workers 4 --bind 0.0.0.0:8000 wsgi:app",
        "cstier scheduler",
    }
    block = readme_production().split("```")[1]
    assert {line for line in block.splitlines() if line.startswith("gunicorn ")} <= processes
    assert "docs/deploy.md" in readme_production()


def test_the_compose_file_runs_exactly_the_readme_processes():
    commands = {name: command(service["command"]) for name, service in app_services().items()}

    assert set(commands.values()) == readme_processes()
    assert sorted(commands.values()).count("cstier scheduler") == 1
    scheduler = next(
        s for s in app_services().values() if command(s["command"]) == "cstier scheduler"
    )
    assert scheduler.get("deploy", {}).get("replicas", 1) == 1


def test_the_compose_file_has_postgres_and_redis_and_points_the_app_at_them():
    services = compose()["services"]
    environment = next(iter(app_services().values()))["environment"]

    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert "@postgres:5432/" in environment["CSTIER_DATABASE_URL"]
    assert environment["CSTIER_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert environment["CSTIER_REDIS_URL"].startswith("redis://redis:6379/")
    assert environment["CSTIER_ENV"] == "production"


def test_every_long_running_service_has_a_health_check_and_the_web_asks_healthz():
    services = compose()["services"]
    web = next(s for s in app_services().values() if command(s["command"]).startswith("gunicorn"))

    long_running = [name for name, s in services.items() if s.get("restart") != "no"]
    assert sorted(long_running) == ["postgres", "redis", "scheduler", "web"]
    assert all("healthcheck" in services[name] for name in long_running)
    assert "http://127.0.0.1:8000/healthz" in " ".join(web["healthcheck"]["test"])
    assert "0.0.0.0:8000" in command(web["command"]) and "8000:8000" in web["ports"]
    assert command(services["scheduler"]["healthcheck"]["test"][1:]) == "cstier jobs check"


def test_the_app_waits_for_its_database_and_migrations():
    services = app_services()

    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "scheduler"):
        assert (
            services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        )


def test_the_image_starts_the_web_by_default():
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.M).group(1)

    assert command(yaml.safe_load(cmd)) in readme_processes()
    assert "postgresql-client" in dockerfile  # pg_dump for `cstier db backup`


def test_the_systemd_units_start_exactly_the_readme_processes():
    commands = {name: command(u["Service"]["ExecStart"]) for name, u in process_units().items()}

    assert set(commands.values()) == readme_processes()
    assert commands["cstier-scheduler.service"] == "cstier scheduler"
    for name in ("cstier-web.service", "cstier-scheduler.service"):
        assert "cstier-migrate.service" in process_units()[name]["Unit"]["Requires"]


def test_the_backup_unit_runs_cstier_db_backup_on_a_timer():
    backup = unit("cstier-backup.service")["Service"]["ExecStart"]
    timer = unit("cstier-backup.timer")

    assert "/opt/cstier/venv/bin/cstier db backup /var/backups/cstier/" in backup
    assert timer["Timer"]["OnCalendar"]


@pytest.mark.parametrize(
    "source",
    [DEPLOY / "compose.yaml", UNITS / "cstier.env.example", ROOT / "docs" / "deploy.md"],
)
def test_every_setting_the_deploy_files_name_is_one_cstier_reads(source):
    known = set(re.findall(r'_env(?:_int)?\(\s*"([A-Z_]+)"', (ROOT / "config.py").read_text()))
    named = set(re.findall(r"\bCSTIER_([A-Z_]+)", source.read_text(encoding="utf-8")))

    unknown = named - known - {"TEST_DATABASE_URL", "TEST_REDIS_URL", "INSTANCE_PATH"}
    assert named and unknown == set()


def test_the_deploy_guide_shows_the_same_commands():
    guide = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")

    for process in readme_processes() | {"cstier db backup", "cstier db restore", "pg_dump"}:
        assert process in guide
