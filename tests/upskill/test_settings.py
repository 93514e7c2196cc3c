"""Configuration from the environment: bad values stop the start with a clear message,
production mode passes `check --deploy`, and Celery is eager only without a broker.

Each case starts a fresh `manage.py` in a subprocess, since settings are read once per
process. The environment is built from scratch, and every variable a local `.env` could
supply is set explicitly, so a developer's `.env` cannot change the outcome.
"""

import ast
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from upskill.celery import app as celery_app

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, timeout: float = 60, **variables: str) -> subprocess.CompletedProcess:
    """Run `python <args>` in the project root with only the given variables set (plus
    what Python needs), defaulting to the local run on an in-memory SQLite database."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "DEBUG": "true",
        "SECRET_KEY": "",
        "ALLOWED_HOSTS": "",
        "DATABASE_URL": "sqlite://:memory:",
        "DATABASE_REPLICA_URL": "",
        "REDIS_URL": "",
        "CSRF_TRUSTED_ORIGINS": "",
        "OIDC_ISSUER": "",
        "PASSWORD_LOGIN": "true",
        "SESSION_MAX_AGE": "43200",
        **variables,
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def print_settings(*names: str, **variables: str) -> dict[str, str]:
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        f"for name in {names!r}: print(name, '=', getattr(settings, name))\n"
    )
    done = run("-c", code, DJANGO_SETTINGS_MODULE="upskill.settings", **variables)
    assert done.returncode == 0, error_message(done.stderr)
    return dict(line.split(" = ", 1) for line in done.stdout.splitlines())


def error_message(stderr: str) -> str:
    """The message of the ImproperlyConfigured a failed start ends with: what the
    operator reads first, below the traceback."""
    _, found, message = stderr.rpartition("ImproperlyConfigured: ")
    return message.strip() if found else stderr.strip()[-500:]


def production(**variables: str) -> dict[str, str]:
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "example.com",
        **variables,
    }


def test_local_defaults_pass_the_system_check():
    done = run("manage.py", "check")

    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


def test_production_mode_without_secret_key_refuses_to_start():
    done = run("manage.py", "check", DEBUG="false", ALLOWED_HOSTS="example.com")

    assert done.returncode != 0
    assert "SECRET_KEY must be set" in done.stderr


def test_production_mode_without_allowed_hosts_refuses_to_start():
    done = run("manage.py", "check", **production(ALLOWED_HOSTS=""))

    assert done.returncode != 0
    assert "ALLOWED_HOSTS must be set" in done.stderr


@pytest.mark.parametrize(
    "database_url",
    [
        "nonsense://x",
        "postgres://user@host:notaport/db",
        "redis://127.0.0.1:6379/0",  # a real URL, but not of a database
    ],
)
def test_malformed_database_url_refuses_to_start_and_names_the_variable(database_url):
    done = run("manage.py", "check", DATABASE_URL=database_url)

    assert done.returncode != 0
    assert "DATABASE_URL" in error_message(done.stderr), error_message(done.stderr)


def test_a_replica_url_adds_the_replica_alias_mirrored_in_tests():
    found = print_settings(
        "DATABASES",
        "DATABASE_ROUTERS",
        DATABASE_URL="postgres://upskill@primary:5432/upskill",
        DATABASE_REPLICA_URL="postgres://upskill@standby:5432/upskill",
    )
    databases = ast.literal_eval(found["DATABASES"])

    assert databases["default"]["HOST"] == "primary"
    assert databases["replica"]["HOST"] == "standby"
    assert databases["replica"]["TEST"]["MIRROR"] == "default"
    assert found["DATABASE_ROUTERS"] == "['upskill.replica.ReplicaRouter']"


def test_without_a_replica_url_there_is_one_database():
    found = print_settings("DATABASES", DATABASE_URL="postgres://upskill@primary:5432/upskill")

    assert list(ast.literal_eval(found["DATABASES"])) == ["default"]


@pytest.mark.parametrize(
    ("database_url", "replica_url"),
    [
        ("postgres://upskill@primary/upskill", "nonsense://x"),
        ("postgres://upskill@primary/upskill", "sqlite:///replica.sqlite3"),
        ("sqlite:///db.sqlite3", "postgres://upskill@standby/upskill"),
    ],
)
def test_a_replica_url_that_is_no_postgresql_standby_refuses_to_start(database_url, replica_url):
    done = run("manage.py", "check", DATABASE_URL=database_url, DATABASE_REPLICA_URL=replica_url)

    assert done.returncode != 0
    assert "DATABASE_REPLICA_URL" in error_message(done.stderr), error_message(done.stderr)


def test_empty_database_url_means_the_embedded_sqlite_database():
    # .env.example documents "Empty means SQLite in ./db.sqlite3" for DATABASE_URL.
    found = print_settings("DATABASES", DATABASE_URL="")

    assert "django.db.backends.sqlite3" in found["DATABASES"]
    assert "db.sqlite3" in found["DATABASES"]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("REDIS_URL", "http://127.0.0.1:6379/0"),
        ("MIN_GROUP_SIZE", "five"),
        ("MIN_GROUP_SIZE", "0"),
        ("CONN_MAX_AGE", "forever"),
        ("FIGURES_CACHE_SECONDS", "a day"),
        ("FIGURES_CACHE_SECONDS", "0"),
    ],
)
def test_other_malformed_variables_refuse_to_start_and_name_the_variable(variable, value):
    done = run("manage.py", "check", **{variable: value})

    assert done.returncode != 0
    assert variable in error_message(done.stderr), error_message(done.stderr)


def test_production_settings_pass_the_deployment_check_without_warnings():
    done = run("manage.py", "check", "--deploy", **production())

    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout
    assert "WARNINGS" not in done.stdout + done.stderr


def test_production_settings_with_single_sign_on_pass_the_deployment_check():
    done = run(
        "manage.py",
        "check",
        "--deploy",
        **production(
            OIDC_ISSUER="https://login.example.com/oauth2/default",
            OIDC_CLIENT_ID="upskill",
            OIDC_CLIENT_SECRET=secrets.token_urlsafe(32),
            OIDC_BUTTON_LABEL="Okta",
            PASSWORD_LOGIN="false",
            SESSION_MAX_AGE="28800",
        ),
    )

    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout
    assert "WARNINGS" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"OIDC_ISSUER": "https://idp.example"}, "OIDC_CLIENT_ID and OIDC_CLIENT_SECRET"),
        (
            {"OIDC_ISSUER": "http://idp.example", "OIDC_CLIENT_ID": "a", "OIDC_CLIENT_SECRET": "b"},
            "https://",
        ),
        ({"SESSION_MAX_AGE": "10"}, "SESSION_MAX_AGE"),
    ],
)
def test_incomplete_single_sign_on_settings_refuse_to_start(variables, message):
    done = run("manage.py", "check", **production(**variables))

    assert done.returncode != 0
    assert message in error_message(done.stderr), error_message(done.stderr)


def test_without_a_broker_celery_runs_tasks_eagerly_in_process():
    found = print_settings("CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL", REDIS_URL="")

    assert found == {"CELERY_TASK_ALWAYS_EAGER": "True", "CELERY_BROKER_URL": "memory://"}


def test_with_redis_url_celery_sends_tasks_to_the_broker():
    found = print_settings(
        "CELERY_TASK_ALWAYS_EAGER",
        "CELERY_BROKER_URL",
        "CELERY_RESULT_BACKEND",
        REDIS_URL="redis://127.0.0.1:6379/15",
    )

    assert found == {
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15",
        "CELERY_RESULT_BACKEND": "redis://127.0.0.1:6379/15",
    }


def test_the_figures_cache_is_redis_with_redis_url_and_local_memory_without():
    shared = print_settings("CACHES", REDIS_URL="redis://127.0.0.1:6379/15")
    local = print_settings("CACHES", REDIS_URL="")

    assert "django.core.cache.backends.redis.RedisCache" in shared["CACHES"]
    assert "redis://127.0.0.1:6379/15" in shared["CACHES"]
    assert "django.core.cache.backends.locmem.LocMemCache" in local["CACHES"]


def test_this_test_run_is_eager_exactly_when_no_broker_is_configured():
    # The suite runs twice in CI: embedded (no REDIS_URL) and against PostgreSQL/Redis.
    eager = not os.environ.get("REDIS_URL")

    assert settings.CELERY_TASK_ALWAYS_EAGER is eager
    assert celery_app.conf.task_always_eager is eager


def test_production_static_files_collect_into_a_manifest(tmp_path):
    """The production storage hashes files and rewrites references (source maps too):
    a reference to a file that isn't there fails the build, so try it for real."""
    done = run(
        "manage.py",
        "collectstatic",
        "--noinput",
        "-v0",
        timeout=120,
        STATIC_ROOT=str(tmp_path),
        **production(),
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("vendor/htmx.min.*.js"))


def test_the_web_process_freezes_what_start_up_made_out_of_the_garbage_collector():
    # gunicorn imports upskill.wsgi in each worker: what it loaded is never walked by a
    # full collection again (the 50,000-person dashboard's slow requests were those).
    done = run(
        "-c",
        "import gc; import upskill.wsgi; print(gc.get_freeze_count())",
        DJANGO_SETTINGS_MODULE="upskill.settings",
    )

    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) > 10_000
