"""Settings read from the environment: secure defaults and clear errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "p" * 20
    + "roduction-secret-key-that-is-long-and-random-9f8e7d",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "POSTDECK_BASE_URL": "https://postdeck.example.com",
    "DATABASE_URL": "postgres://postdeck:secret@db.internal:5432/postdeck",
    "CELERY_BROKER_URL": "redis://:secret@redis.internal:6379/0",
    "TIKTOK_CLIENT_KEY": "aw1234567890",
    "TIKTOK_CLIENT_SECRET": "client-secret-value",
    "DJANGO_ADMIN_URL": "staff-7f3a/",
    "DJANGO_READ_DOT_ENV": "false",
}


def run_manage(
    args: list[str], env: dict[str, str], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            (
                "DJANGO_",
                "TIKTOK_",
                "DATABASE_URL",
                "CELERY_",
                "FIELD_",
                "POSTDECK_",
                "STORAGE_",
                "AWS_",
            )
        )
    }
    clean.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "POSTDECK_VAR_DIR": str(tmp_path),
        }
    )
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_shell(
    code: str, env: dict[str, str], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    return run_manage(["shell", "--no-imports", "-c", code], env, tmp_path)


LOCAL_ENV = {
    "DJANGO_SECRET_KEY": "local-" + "k" * 40,
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "DJANGO_READ_DOT_ENV": "false",
}


def test_check_deploy_passes_with_production_variables(tmp_path):
    # when
    result = run_manage(
        ["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV, tmp_path
    )
    # then
    assert result.returncode == 0, result.stderr + result.stdout


def test_away_from_localhost_no_client_key_stops_start_up_naming_what_to_set(
    tmp_path,
):
    # given a production-looking install that forgot its TikTok app
    env = {**PRODUCTION_ENV, "TIKTOK_CLIENT_KEY": "", "TIKTOK_CLIENT_SECRET": ""}
    # when
    result = run_manage(["check"], env, tmp_path)
    # then it does not quietly run the sandbox
    assert result.returncode != 0
    assert "Set TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET" in result.stderr
    assert "or set TIKTOK_SANDBOX=true" in result.stderr


@pytest.mark.parametrize(
    ("unsafe", "check_id", "what_to_fix"),
    [
        pytest.param(
            {"TIKTOK_CLIENT_KEY": "", "TIKTOK_SANDBOX": "true"},
            "postdeck.E001",
            "Set TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET",
            id="sandbox-on",
        ),
        pytest.param(
            {"DJANGO_ADMIN_URL": "admin/"},
            "postdeck.E002",
            "Set DJANGO_ADMIN_URL to a path of your own",
            id="default-admin-url",
        ),
        pytest.param(
            {"TIKTOK_CLIENT_SECRET": "sandbox-client-secret"},
            "postdeck.E003",
            "Set TIKTOK_CLIENT_SECRET to your app's client secret",
            id="sandbox-webhook-secret",
        ),
    ],
)
def test_check_deploy_fails_on_each_unsafe_setting(
    tmp_path, unsafe, check_id, what_to_fix
):
    # given production variables with one unsafe setting
    env = {**PRODUCTION_ENV, **unsafe}
    # when
    result = run_manage(["check", "--deploy"], env, tmp_path)
    # then
    output = result.stderr + result.stdout
    assert result.returncode != 0, output
    assert check_id in output
    assert what_to_fix in output


def test_plain_check_still_passes_with_the_sandbox_asked_for(tmp_path):
    # given a staging demo that asks for the sandbox on purpose
    env = {**PRODUCTION_ENV, "TIKTOK_CLIENT_KEY": "", "TIKTOK_SANDBOX": "true"}
    # when
    result = run_manage(["check"], env, tmp_path)
    # then only the deployment checks object
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_defaults_are_secure(tmp_path):
    # when
    result = run_shell(
        "from django.conf import settings as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, s.TIKTOK_SANDBOX, s.TIKTOK_API_BASE_URL)",
        PRODUCTION_ENV,
        tmp_path,
    )
    # then
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "True",
        "True",
        "True",
        "True",
        "False",
        "https://open.tiktokapis.com",
    ]


def test_missing_secret_key_names_the_variable(tmp_path):
    # given
    env = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": ""}
    # when
    result = run_manage(["check"], env, tmp_path)
    # then
    assert result.returncode != 0
    assert "Set the environment variable DJANGO_SECRET_KEY" in result.stderr


def test_malformed_boolean_names_the_variable_and_what_it_expects(tmp_path):
    # given
    env = {**PRODUCTION_ENV, "DJANGO_DEBUG": "maybe"}
    # when
    result = run_manage(["check"], env, tmp_path)
    # then
    assert "DJANGO_DEBUG must be true or false" in result.stderr
    assert "'maybe'" in result.stderr


def test_malformed_database_url_names_the_variable(tmp_path):
    # given
    env = {**PRODUCTION_ENV, "DATABASE_URL": "not a url"}
    # when
    result = run_manage(["check"], env, tmp_path)
    # then
    assert "DATABASE_URL must be a database URL" in result.stderr


def test_real_client_key_requires_the_client_secret(tmp_path):
    # given
    env = {**PRODUCTION_ENV, "TIKTOK_CLIENT_SECRET": ""}
    # when
    result = run_manage(["check"], env, tmp_path)
    # then
    assert "Set the environment variable TIKTOK_CLIENT_SECRET" in result.stderr


def test_chunk_size_outside_tiktoks_bounds_is_refused(tmp_path):
    # given a chunk size under TikTok's 5 MB minimum
    env = {**PRODUCTION_ENV, "TIKTOK_CHUNK_SIZE": "4000000"}
    # when
    result = run_manage(["check"], env, tmp_path)
    # then
    assert result.returncode != 0
    assert "TIKTOK_CHUNK_SIZE must be 5,242,880 to 64,000,000 bytes" in result.stderr


def test_bad_encryption_key_is_refused_with_its_position(tmp_path):
    # given
    env = {
        **PRODUCTION_ENV,
        "FIELD_ENCRYPTION_KEYS": f"{Fernet.generate_key().decode()},not-a-key",
    }
    # when
    result = run_shell(
        "from tiktok_integration.encryption import get_cipher; get_cipher()",
        env,
        tmp_path,
    )
    # then
    assert "FIELD_ENCRYPTION_KEYS entry 2 is not a Fernet key" in result.stderr


def test_visibility_timeout_below_twice_the_task_limit_is_refused(tmp_path):
    # given
    env = {**PRODUCTION_ENV, "CELERY_VISIBILITY_TIMEOUT": "600"}
    # when
    result = run_manage(["check"], env, tmp_path)
    # then
    assert "CELERY_VISIBILITY_TIMEOUT must be at least twice" in result.stderr


def test_embedded_defaults_without_any_service(tmp_path):
    # given: only the two required secrets, as `make run` writes them
    env = LOCAL_ENV
    # when
    result = run_shell(
        "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.TIKTOK_SANDBOX, s.SESSION_COOKIE_SECURE, s.STORAGES['default']['BACKEND'])",
        env,
        tmp_path,
    )
    # then
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "True",
        "False",
        "django.core.files.storage.FileSystemStorage",
    ]


@pytest.mark.sqlite_only
def test_sqlite_accepts_concurrent_writers_from_two_processes(tmp_path):
    """Web and worker write the same SQLite file; neither sees 'database is locked'."""
    # given a migrated file database
    env = LOCAL_ENV
    assert run_manage(["migrate", "-v", "0"], env, tmp_path).returncode == 0
    writer = (
        "import sys\n"
        "from django.db import transaction\n"
        "from workspaces.models import Workspace\n"
        "tag = sys.argv[1]\n"
        "for i in range(150):\n"
        "    with transaction.atomic():\n"
        "        w = Workspace.objects.create(name=f'{tag}{i}', slug=f'{tag}-{i}')\n"
        "        Workspace.objects.filter(pk=w.pk).update(name=f'{tag}{i}!')\n"
    )
    script = tmp_path / "writer.py"
    script.write_text(
        "import os, sys, django\n"
        "sys.path.insert(0, os.getcwd())\n"
        "django.setup()\n" + writer
    )
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "POSTDECK_"))
    }
    base.update(
        env,
        DJANGO_SETTINGS_MODULE="config.settings.base",
        POSTDECK_VAR_DIR=str(tmp_path),
    )
    # when two processes write at the same time
    processes = [
        subprocess.Popen(
            [sys.executable, str(script), tag],
            cwd=ROOT,
            env=base,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("web", "worker")
    ]
    errors = [process.communicate(timeout=120)[1] for process in processes]
    # then
    assert [process.returncode for process in processes] == [0, 0], errors
    count = run_shell(
        "from workspaces.models import Workspace; print(Workspace.objects.count())",
        env,
        tmp_path,
    )
    assert count.stdout.strip() == "300"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"POSTDECK_PORT": "38123"}, "http://127.0.0.1:38123"),
        (
            {"POSTDECK_PORT": "38123", "POSTDECK_BASE_URL": "http://localhost:9000"},
            "http://localhost:9000",
        ),
        ({}, "http://127.0.0.1:8000"),
    ],
)
def test_a_command_beside_make_run_on_another_port_reaches_that_server(
    tmp_path: Path, extra: dict[str, str], expected: str
) -> None:
    # `POSTDECK_PORT=38123 make run` serves (and its sandbox answers) there;
    # manage.py commands given the same port must call that address too.
    result = run_shell(
        "from django.conf import settings as s; print(s.BASE_URL)",
        {**LOCAL_ENV, **extra},
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected
