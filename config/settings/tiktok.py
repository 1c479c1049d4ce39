"""TikTok and publishing settings: the app's keys, sandbox mode, TikTok's
hosts, timeouts, rate limits and caps, and the publishing pipeline's clocks.

TikTok's own numbers come from ``tiktok_integration/client/facts.py``; the
variables here only override them. Imported by ``base.py``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from tiktok_integration.client import facts as tiktok_facts
from tiktok_integration.client.chunks import DEFAULT_CHUNK_BYTES

from .env import env_bool, env_float, env_int, env_list, env_str
from .site import BASE_URL, IS_LOCALHOST

# --- TikTok ---------------------------------------------------------------------

TIKTOK_CLIENT_KEY = env_str("TIKTOK_CLIENT_KEY", default="")
# Sandbox mode accepts webhooks signed with a secret published in this repository,
# so it is the default only on localhost without a client key; anywhere else it
# must be asked for (TIKTOK_SANDBOX=true), and config/checks.py fails
# `check --deploy` while it is on.
TIKTOK_SANDBOX = env_bool(
    "TIKTOK_SANDBOX", default=IS_LOCALHOST and not TIKTOK_CLIENT_KEY
)
if not TIKTOK_SANDBOX and not TIKTOK_CLIENT_KEY:
    raise ImproperlyConfigured(
        "Set TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET (your app's pair from "
        "developers.tiktok.com), or set TIKTOK_SANDBOX=true to run the built-in "
        "TikTok sandbox on purpose. The sandbox is the default only when "
        f"POSTDECK_BASE_URL is localhost; it is {BASE_URL!r}."
    )
TIKTOK_SANDBOX_PREFIX = "tiktok-sandbox/"
# Public by design (the sandbox's own pair); config/checks.py refuses it in
# deployments.
TIKTOK_SANDBOX_CLIENT_SECRET = "sandbox-client-secret"  # noqa: S105  # nosec B105
if TIKTOK_SANDBOX:
    TIKTOK_CLIENT_KEY = TIKTOK_CLIENT_KEY or "sandbox-client-key"
    TIKTOK_CLIENT_SECRET = env_str(
        "TIKTOK_CLIENT_SECRET", default=TIKTOK_SANDBOX_CLIENT_SECRET
    )
    _sandbox_base = f"{BASE_URL}/{TIKTOK_SANDBOX_PREFIX}".rstrip("/")
    TIKTOK_API_BASE_URL = env_str("TIKTOK_API_BASE_URL", default=_sandbox_base)
    TIKTOK_AUTHORIZE_URL = env_str(
        "TIKTOK_AUTHORIZE_URL",
        default=_sandbox_base + urlsplit(tiktok_facts.AUTHORIZE_URL).path,
    )
    TIKTOK_WEB_URL = env_str("TIKTOK_WEB_URL", default=_sandbox_base)
else:
    TIKTOK_CLIENT_SECRET = env_str("TIKTOK_CLIENT_SECRET")
    TIKTOK_API_BASE_URL = env_str(
        "TIKTOK_API_BASE_URL", default=tiktok_facts.API_BASE_URL
    )
    TIKTOK_AUTHORIZE_URL = env_str(
        "TIKTOK_AUTHORIZE_URL", default=tiktok_facts.AUTHORIZE_URL
    )
    TIKTOK_WEB_URL = env_str("TIKTOK_WEB_URL", default=tiktok_facts.WEB_URL)
TIKTOK_REDIRECT_URI = env_str(
    "TIKTOK_REDIRECT_URI", default=f"{BASE_URL}/tiktok/callback/"
)
# TikTok pulls photos (and videos, once the prefix is verified) from here: an
# unguessable link per file of a post in flight, valid this long (§4.7: TikTok's
# download times out after 1 h, so 3 h leaves room for a slow start).
TIKTOK_PULL_MEDIA_PATH = "tiktok-media/"
TIKTOK_PULL_MEDIA_SECONDS = env_int("TIKTOK_PULL_MEDIA_SECONDS", default=3 * 3600)
TIKTOK_SCOPES = env_list(
    "TIKTOK_SCOPES",
    default=[
        "user.info.basic",
        "user.info.profile",
        "user.info.stats",
        "video.list",
        "video.publish",
        "video.upload",
    ],
)
TIKTOK_CONNECT_TIMEOUT = env_float("TIKTOK_CONNECT_TIMEOUT", default=3.05)
TIKTOK_READ_TIMEOUT = env_float("TIKTOK_READ_TIMEOUT", default=15.0)
TIKTOK_UPLOAD_READ_TIMEOUT = env_float("TIKTOK_UPLOAD_READ_TIMEOUT", default=120.0)
TIKTOK_CHUNK_SIZE = env_int("TIKTOK_CHUNK_SIZE", default=DEFAULT_CHUNK_BYTES)
if (
    not tiktok_facts.MIN_CHUNK_BYTES
    <= TIKTOK_CHUNK_SIZE
    <= tiktok_facts.MAX_CHUNK_BYTES
):
    raise ImproperlyConfigured(
        f"TIKTOK_CHUNK_SIZE must be {tiktok_facts.MIN_CHUNK_BYTES:,} to "
        f"{tiktok_facts.MAX_CHUNK_BYTES:,} bytes (TikTok's chunk bounds), "
        f"not {TIKTOK_CHUNK_SIZE:,}."
    )
# TikTok's cap on Direct Posts per creator per 24 h, shared by every app (about 15).
TIKTOK_DAILY_POST_CAP = env_int(
    "TIKTOK_DAILY_POST_CAP", default=tiktok_facts.DAILY_POST_CAP
)

# Token refresh (docs/tiktok.md §1.6): the beat sweep refreshes access tokens
# expiring within the window (each account's window stretched by a random
# jitter up to the second number, so a fleet connected at once spreads out); a
# token used with less than the skew left is refreshed first. Seconds; smaller
# values only make sense for time-compressed benchmarks (bench/bench_scale.py).
TIKTOK_TOKEN_REFRESH_WINDOW_SECONDS = env_int(
    "TIKTOK_TOKEN_REFRESH_WINDOW_SECONDS", default=1800
)
TIKTOK_TOKEN_REFRESH_JITTER_SECONDS = env_int(
    "TIKTOK_TOKEN_REFRESH_JITTER_SECONDS", default=300
)
TIKTOK_TOKEN_REFRESH_SKEW_SECONDS = env_int(
    "TIKTOK_TOKEN_REFRESH_SKEW_SECONDS", default=600
)
# The sweep sends an account's refresh again only this long after the last
# send (a lost message, or a failed refresh, which clears it at once), so a
# queue that lags a sweep does not fill with copies of the same refreshes.
TIKTOK_TOKEN_REFRESH_RESEND_SECONDS = env_int(
    "TIKTOK_TOKEN_REFRESH_RESEND_SECONDS", default=600
)

# --- Publishing -----------------------------------------------------------------

# Beat ticks (seconds). Dispatch also hands out jobs due before its next run.
TIKTOK_PUBLISH_DISPATCH_SECONDS = env_int("TIKTOK_PUBLISH_DISPATCH_SECONDS", default=5)
TIKTOK_PUBLISH_POLL_SECONDS = env_int("TIKTOK_PUBLISH_POLL_SECONDS", default=5)
TIKTOK_PUBLISH_RECONCILE_SECONDS = env_int(
    "TIKTOK_PUBLISH_RECONCILE_SECONDS", default=60
)
# A worker's hold on a job; renewed after every chunk. A job whose worker died
# is picked up again once it runs out.
TIKTOK_PUBLISH_LEASE_SECONDS = env_int("TIKTOK_PUBLISH_LEASE_SECONDS", default=300)
TIKTOK_PUBLISH_BATCH_SIZE = env_int("TIKTOK_PUBLISH_BATCH_SIZE", default=200)
# Claims of a job (and inits TikTok left unanswered) before it stops for a
# person; read when a job is made (PublishJob.max_attempts).
TIKTOK_PUBLISH_MAX_ATTEMPTS = env_int("TIKTOK_PUBLISH_MAX_ATTEMPTS", default=5)
# Temporary failures in a row before a person is asked to look.
TIKTOK_PUBLISH_MAX_TRANSIENT_FAILURES = env_int(
    "TIKTOK_PUBLISH_MAX_TRANSIENT_FAILURES", default=30
)
TIKTOK_PUBLISH_BACKOFF_MAX_SECONDS = env_int(
    "TIKTOK_PUBLISH_BACKOFF_MAX_SECONDS", default=300
)
# Status polling: first check after this, growing to the cap; give up (needs
# review) after the deadline.
TIKTOK_POLL_FIRST_SECONDS = env_float("TIKTOK_POLL_FIRST_SECONDS", default=5.0)
TIKTOK_POLL_MAX_SECONDS = env_int("TIKTOK_POLL_MAX_SECONDS", default=300)
TIKTOK_POLL_DEADLINE_HOURS = env_int("TIKTOK_POLL_DEADLINE_HOURS", default=48)
# Status checks sent to the workers and not yet started, at most: the poll
# tick sends no more until they drain (publishing/leases.py), so a backlog
# waits in the database, not as stale messages in the queue.
TIKTOK_POLL_QUEUED_MAX = env_int("TIKTOK_POLL_QUEUED_MAX", default=200)
# The same for publish runs: due jobs claimed and sent, not yet started, at
# most. Keep it below what the publish workers drain within a lease
# (TIKTOK_PUBLISH_LEASE_SECONDS), or queued runs are claimed again.
TIKTOK_PUBLISH_QUEUED_MAX = env_int("TIKTOK_PUBLISH_QUEUED_MAX", default=1000)
TIKTOK_INBOX_FOLLOW_MAX_SECONDS = env_int(
    "TIKTOK_INBOX_FOLLOW_MAX_SECONDS", default=1800
)
# A post due longer ago than this waits for a person instead of going out late.
TIKTOK_PUBLISH_LATE_HOLD_MINUTES = env_int(
    "TIKTOK_PUBLISH_LATE_HOLD_MINUTES", default=120
)
# Calls per window, keyed by tiktok_facts.RateLimit: per user token (init counts
# the three init endpoints together) and, for the Display API, per app. The
# defaults are TikTok's own numbers (docs/tiktok.md §6).
_RATE_LIMIT_VARIABLES = {
    tiktok_facts.RateLimit.CREATOR_INFO: "TIKTOK_RATE_LIMIT_CREATOR_INFO",
    tiktok_facts.RateLimit.INIT: "TIKTOK_RATE_LIMIT_INIT",
    tiktok_facts.RateLimit.STATUS_FETCH: "TIKTOK_RATE_LIMIT_STATUS",
    tiktok_facts.RateLimit.CANCEL: "TIKTOK_RATE_LIMIT_CANCEL",
    tiktok_facts.RateLimit.DISPLAY: "TIKTOK_RATE_LIMIT_DISPLAY",
}
TIKTOK_RATE_LIMITS = {
    window.value: env_int(_RATE_LIMIT_VARIABLES[window], default=limit)
    for window, limit in tiktok_facts.RATE_LIMIT_PER_MINUTE.items()
}
# A second longer than TikTok's window, so a call counted by us as outside it is
# outside it at TikTok too, whatever the clocks and the network delay.
TIKTOK_RATE_WINDOW_SECONDS = env_float(
    "TIKTOK_RATE_WINDOW_SECONDS",
    default=float(tiktok_facts.RATE_LIMIT_WINDOW_SECONDS + 1),
)
TIKTOK_RETRY_AFTER_MAX_SECONDS = env_int("TIKTOK_RETRY_AFTER_MAX_SECONDS", default=600)
TIKTOK_BREAKER_THRESHOLD = env_int("TIKTOK_BREAKER_THRESHOLD", default=10)
TIKTOK_BREAKER_RESET_SECONDS = env_int("TIKTOK_BREAKER_RESET_SECONDS", default=60)
# Anticipated caps: pending inbox drafts per creator, creators per app per 24 h
# (0: unknown, not anticipated).
TIKTOK_PENDING_SHARE_CAP = env_int(
    "TIKTOK_PENDING_SHARE_CAP", default=tiktok_facts.PENDING_SHARE_CAP
)
TIKTOK_ACTIVE_USER_CAP = env_int("TIKTOK_ACTIVE_USER_CAP", default=0)
