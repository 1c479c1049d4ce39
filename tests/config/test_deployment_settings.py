"""Settings for larger deployments (docs/deployment.md): analytics and media
tasks go to the queues named by CELERY_ANALYTICS_QUEUE and CELERY_MEDIA_QUEUE
(publishing always to "publish"), and server-side cursors can be turned off
for PgBouncer."""

from __future__ import annotations

from tests.config.test_settings import LOCAL_ENV, run_shell

ROUTE = (
    "from config.celery import app\n"
    "for name in ('tiktok.publish_run', 'tiktok.analytics_sync_account',"
    " 'media_library.run_conversion', 'tiktok.refresh_expiring_tokens'):\n"
    "    print(app.amqp.router.route({}, name)['queue'].name)"
)


def test_by_default_everything_but_publishing_shares_the_default_queue(tmp_path):
    result = run_shell(ROUTE, LOCAL_ENV, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["publish", "default", "default", "default"]


def test_analytics_and_media_can_have_queues_of_their_own(tmp_path):
    env = {
        **LOCAL_ENV,
        "CELERY_ANALYTICS_QUEUE": "analytics",
        "CELERY_MEDIA_QUEUE": "media",
    }

    result = run_shell(ROUTE, env, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["publish", "analytics", "media", "default"]


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
