"""Settings for larger deployments (docs/deployment.md): analytics and media
tasks go to the queues named by CELERY_ANALYTICS_QUEUE and CELERY_MEDIA_QUEUE
(publishing always to "publish"), token refreshes and status checks have
queues of their own (CELERY_TOKEN_QUEUE, CELERY_POLL_QUEUE) so a publish surge
cannot hold them back, and server-side cursors can be turned off for
PgBouncer."""

from __future__ import annotations

from pathlib import Path

from tests.config.test_settings import LOCAL_ENV, run_shell

ROUTE = (
    "from config.celery import app\n"
    "for name in ('tiktok.publish_run', 'tiktok.analytics_sync_account',"
    " 'media_library.run_conversion', 'tiktok.refresh_expiring_tokens',"
    " 'tiktok.refresh_account_token', 'tiktok.publish_poll'):\n"
    "    print(app.amqp.router.route({}, name)['queue'].name)"
)


def test_by_default_tokens_and_status_checks_have_queues_of_their_own_and_the_rest_shares_default(
    tmp_path,
):
    result = run_shell(ROUTE, LOCAL_ENV, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "publish",
        "default",
        "default",
        "default",
        "tokens",
        "publish_poll",
    ]


def test_analytics_and_media_can_have_queues_of_their_own(tmp_path):
    env = {
        **LOCAL_ENV,
        "CELERY_ANALYTICS_QUEUE": "analytics",
        "CELERY_MEDIA_QUEUE": "media",
    }

    result = run_shell(ROUTE, env, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "publish",
        "analytics",
        "media",
        "default",
        "tokens",
        "publish_poll",
    ]


def test_token_refreshes_and_status_checks_queues_can_be_renamed(tmp_path):
    env = {**LOCAL_ENV, "CELERY_TOKEN_QUEUE": "tok", "CELERY_POLL_QUEUE": "polls"}

    result = run_shell(ROUTE, env, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["tok", "polls"]


def test_behind_pgbouncer_server_side_cursors_can_be_turned_off(tmp_path):
    env = {
        **LOCAL_ENV,
        "DATABASE_URL": "postgres://postdeck@127.0.0.1:6432/postdeck",
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS": "true",
    }

    result = run_shell(
        "from django.conf import settings as s\n"
        "print(s.DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS'])",
        env,
        tmp_path,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"]


EVERY_QUEUE = (
    "from config.celery import app\n"
    "from config.periodic import PERIODIC_TASKS\n"
    "app.loader.import_default_modules()\n"
    "names = [name for name in app.tasks if not name.startswith('celery.')]\n"
    "queues = {app.amqp.router.route({}, name)['queue'].name for name in names}\n"
    "queues |= {spec.queue for spec in PERIODIC_TASKS}\n"
    "print(' '.join(sorted(queues)))"
)


def test_the_procfile_worker_takes_every_queue_a_task_is_sent_to(tmp_path):
    # given the default settings, as `make run` uses them from a fresh clone
    result = run_shell(EVERY_QUEUE, LOCAL_ENV, tmp_path)
    assert result.returncode == 0, result.stderr
    routed = set(result.stdout.split())

    # when the Procfile's one worker starts
    procfile = (Path(__file__).resolve().parents[2] / "Procfile").read_text()
    (worker,) = [line for line in procfile.splitlines() if line.startswith("worker:")]
    consumed = set(worker.split("--queues ", 1)[1].split()[0].split(","))

    # then no task waits on a queue nobody takes from
    assert {"tokens", "publish_poll", "publish", "default"} <= routed
    assert routed <= consumed
