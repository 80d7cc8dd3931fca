"""The set-up files agree with the code: docker-compose.yml, Dockerfile, Makefile, README.md and
.ci/run. Nothing here builds or starts anything; it reads the files and checks what they name."""

from __future__ import annotations

import ast
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat")
REQUIRED_APP_ENV = {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}
BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"


def read(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compose() -> dict:
    data = yaml.safe_load(read("docker-compose.yml"))
    assert isinstance(data, dict), "docker-compose.yml must be a mapping"
    return data


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def settings_env_names() -> set[str]:
    """Every variable config/settings.py reads: env.<type>("NAME", ...) and env.db("NAME")."""
    source = read("config/settings.py")
    return set(re.findall(r"\benv\.\w+\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", source))


def environment_names(service: dict) -> set[str]:
    env = service.get("environment", {})
    if isinstance(env, dict):
        return set(env)
    return {item.split("=", 1)[0] for item in env}


def environment_values(service: dict) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, dict):
        return {k: str(v) for k, v in env.items()}
    return dict(item.split("=", 1) for item in env)


def command_tokens(service: dict) -> list[str]:
    command = service["command"]
    return list(command) if isinstance(command, list) else shlex.split(command)


def option(tokens: list[str], *names: str) -> str | None:
    """The value of an option given as `-A config`, `--app config` or `--app=config`."""
    for index, token in enumerate(tokens):
        for name in names:
            if token == name and index + 1 < len(tokens):
                return tokens[index + 1]
            if name.startswith("--") and token.startswith(name + "="):
                return token.split("=", 1)[1]
    return None


# -- docker-compose.yml ---------------------------------------------------------------------------


def test_settings_env_names_are_found():
    names = settings_env_names()
    assert REQUIRED_APP_ENV | {"SANDBOX"} <= names, names


def test_compose_has_the_five_services(services):
    assert {"postgres", "redis", *APP_SERVICES} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    for name in APP_SERVICES:
        assert "build" in services[name], f"{name} must be built from the project's Dockerfile"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_environment_is_read_by_settings(services, name):
    names = environment_names(services[name])
    unknown = names - settings_env_names()
    assert not unknown, f"{name} sets variables config/settings.py never reads: {sorted(unknown)}"
    missing = REQUIRED_APP_ENV - names
    assert not missing, f"{name} lacks {sorted(missing)}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_urls_point_at_the_compose_services(services, name):
    env = environment_values(services[name])
    database, broker = urlsplit(env["DATABASE_URL"]), urlsplit(env["CELERY_BROKER_URL"])
    assert database.scheme in ("postgres", "postgresql") and database.hostname == "postgres"
    assert broker.scheme == "redis" and broker.hostname == "redis"


def test_web_migrates_then_serves_the_wsgi_app(services):
    command = " ".join(command_tokens(services["web"]))
    migrate, gunicorn = command.find("manage.py migrate"), command.find("gunicorn")
    assert 0 <= migrate < gunicorn, command
    assert "config.wsgi:application" in command
    assert (ROOT / "config" / "wsgi.py").is_file()


def test_celery_app_module_exists():
    """`-A config` finds the app: config/celery.py builds a Celery instance that config exports."""
    tree = ast.parse(read("config/celery.py"))
    calls = [
        node.value.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
    ]
    assert "Celery" in calls

    from celery import Celery
    from celery.app.utils import find_app

    assert isinstance(find_app("config"), Celery)


@pytest.mark.parametrize("name, subcommand", [("worker", "worker"), ("beat", "beat")])
def test_worker_and_beat_run_the_config_celery_app(services, name, subcommand):
    tokens = command_tokens(services[name])
    assert tokens[0] == "celery", tokens
    assert option(tokens, "-A", "--app") == "config", tokens
    assert subcommand in tokens, tokens


def test_beat_uses_the_database_scheduler(services):
    from django.conf import settings
    from django_celery_beat.schedulers import DatabaseScheduler  # noqa: F401  (importable)

    tokens = command_tokens(services["beat"])
    assert option(tokens, "-S", "--scheduler") == BEAT_SCHEDULER, tokens
    assert settings.CELERY_BEAT_SCHEDULER == BEAT_SCHEDULER


def test_healthchecks(services):
    for name in ("postgres", "redis", "web"):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    assert "pg_isready" in str(services["postgres"]["healthcheck"]["test"])
    assert "ping" in str(services["redis"]["healthcheck"]["test"])
    web_check = str(services["web"]["healthcheck"]["test"])
    assert "urllib" in web_check and "/accounts/login/" in web_check

    from django.urls import resolve

    assert resolve("/accounts/login/").url_name == "login"


def test_depends_on_waits_for_healthy_services(services):
    for name in APP_SERVICES:
        depends = services[name].get("depends_on")
        assert isinstance(depends, dict), f"{name}: depends_on must name conditions"
        assert {"postgres", "redis"} <= set(depends), f"{name} must wait for postgres and redis"
        for dependency, spec in depends.items():
            assert spec.get("condition") == "service_healthy", f"{name} -> {dependency}"
            assert services[dependency].get("healthcheck"), (
                f"{name} waits for {dependency} to be healthy, but it has no healthcheck"
            )


def test_dockerfile_installs_the_project():
    dockerfile = read("Dockerfile")
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, re.MULTILINE)
    assert re.search(r"pip install \.(\s|$)", dockerfile)


# -- README, Makefile, CI ---------------------------------------------------------------------


def test_readme_gives_the_two_commands():
    readme = read("README.md")
    for command in ("make run", "make test"):
        assert re.search(rf"^\s*{command}\s*$", readme, re.MULTILINE), f"README lacks `{command}`"


def test_ci_calls_the_readme_test_command():
    # a command line (optionally `if`, with VAR=value prefixes) that runs `make test`
    command = re.compile(r"""^\s*(?:if\s+)?(?:[A-Z_]+=(?:"[^"]*"|'[^']*'|\S*)\s+)*make\s+test\b""")
    assert any(command.search(line) for line in read(".ci/run").splitlines())
    assert "set -euo pipefail" in read(".ci/run")
    assert (ROOT / "scripts" / "smoke_sqlite.py").is_file()


def makefile_targets() -> set[str]:
    return set(re.findall(r"^([A-Za-z][\w-]*)\s*:(?!=)", read("Makefile"), re.MULTILINE))


def test_makefile_has_the_targets():
    targets = makefile_targets()
    assert {"run", "test", "lint", "migrate", "demo", "worker", "beat", "clean"} <= targets


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_makefile_parses_and_uses_the_venv():
    result = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "run", "test", "lint"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert ".venv/bin/python manage.py runserver 127.0.0.1:8000" in result.stdout
    assert ".venv/bin/python -m pytest" in result.stdout
