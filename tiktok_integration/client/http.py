"""The HTTP session every TikTok call goes through, and the bookkeeping of each call.

Only this module touches ``requests`` exceptions: they are turned into TikTokError
subclasses here, without their text, because urllib3 puts the full URL (and so an
upload_url's ``upload_token``) into its exception messages.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final, Generic, TypeVar

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError
from urllib3.util.retry import Retry

from .errors import (
    CONNECTION_FAILED,
    REQUEST_NOT_SENDABLE,
    RESPONSE_LOST,
    TikTokAmbiguousError,
    TikTokError,
    TikTokRejectedError,
    TikTokTransientError,
)

logger = logging.getLogger("tiktok_integration.client")

DEFAULT_CONNECT_TIMEOUT: Final = 3.05
DEFAULT_READ_TIMEOUT: Final = 15.0

Timeout = tuple[float, float]
T = TypeVar("T")

# urllib3 loggers that print request URLs (paths with query strings) at DEBUG, and
# at WARNING when it retries a connection.
_URL_LOGGING_URLLIB3_LOGGERS: Final = (
    "urllib3.connectionpool",
    "urllib3.connection",
    "urllib3.poolmanager",
    "urllib3.util.retry",
)
_QUERY_STRING = re.compile(r"\?[^\s'\"]*")


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One external call, for the caller's audit trail (no tokens, no URLs)."""

    endpoint: str
    method: str
    http_status: int | None
    code: str
    log_id: str
    duration_ms: int
    error_class: str | None


#: Bytes urllib3 reads from a streamed body per socket write. Its default
#: (16 KiB) costs a Python read, seek and send per 16 KiB: 65,536 of each for a
#: 1 GiB upload. 1 MiB matches FileRangeReader's block, so one file read feeds
#: one send (bench/bench_publish.py --upload-runs).
SEND_BLOCK_BYTES: Final = 1024 * 1024


class TimeoutHTTPAdapter(HTTPAdapter):
    """Applies a default ``(connect, read)`` timeout when the caller passes none,
    and sends streamed bodies in ``SEND_BLOCK_BYTES`` writes."""

    def __init__(self, *, timeout: Timeout, max_retries: Retry) -> None:
        super().__init__(max_retries=max_retries)
        self.default_timeout = timeout

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        super().init_poolmanager(
            connections, maxsize, block, blocksize=SEND_BLOCK_BYTES, **pool_kwargs
        )

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        return super().send(
            request,
            stream=stream,
            timeout=self.default_timeout if timeout is None else timeout,
            verify=verify,
            cert=cert,
            proxies=proxies,
        )


def connect_only_retry() -> Retry:
    """Retry a failed connection twice and nothing else.

    Every TikTok call is a POST or a chunk PUT, so a request that reached TikTok
    must never be replayed by the library. ``total`` is not 0 because urllib3 lets
    ``total`` override the per-kind counts: ``total=0`` would also stop the
    connect retries.
    """
    return Retry(
        total=2,
        connect=2,
        read=0,
        status=0,
        other=0,
        redirect=0,
        backoff_factor=0.5,
        backoff_jitter=0.5,
    )


def build_session(
    *,
    user_agent: str,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
) -> requests.Session:
    """A session with a default timeout, connect-only retries and a fixed User-Agent."""
    session = requests.Session()
    adapter = TimeoutHTTPAdapter(
        timeout=(connect_timeout, read_timeout), max_retries=connect_only_retry()
    )
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = user_agent
    redact_urllib3_url_logging()
    return session


class _RedactedArgument:
    __slots__ = ("_text",)

    def __init__(self, text: str) -> None:
        self._text = text

    def __str__(self) -> str:
        return self._text

    __repr__ = __str__


def _redact_query_strings(value: object) -> object:
    if isinstance(value, bool | int | float):
        return value
    text = value if isinstance(value, str) else repr(value)
    return _RedactedArgument(_QUERY_STRING.sub("?<redacted>", text))


class RedactUrlQueryFilter(logging.Filter):
    """Drops query strings from urllib3's log lines (an upload_url's is a secret)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _QUERY_STRING.sub("?<redacted>", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_query_strings(arg) for arg in record.args)
        return True


def redact_urllib3_url_logging() -> None:
    """Install RedactUrlQueryFilter on urllib3's URL-logging loggers, once."""
    for name in _URL_LOGGING_URLLIB3_LOGGERS:
        urllib3_logger = logging.getLogger(name)
        if not any(isinstance(f, RedactUrlQueryFilter) for f in urllib3_logger.filters):
            urllib3_logger.addFilter(RedactUrlQueryFilter())


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or HTTP date)."""
    if not value or not value.strip():
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _failed_before_sending(exc: requests.RequestException) -> bool:
    # Only a connection that never opened proves nothing was sent; a reset, a
    # read timeout or a TLS failure may come after TikTok received the request.
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.SSLError | requests.exceptions.ProxyError):
        return False
    if isinstance(exc, requests.ConnectionError) and exc.args:
        reason = exc.args[0]
        if isinstance(reason, MaxRetryError):
            reason = reason.reason
        # NewConnectionError and NameResolutionError subclass ConnectTimeoutError.
        return isinstance(reason, ConnectTimeoutError)
    return False


def transport_error(
    exc: requests.RequestException, *, endpoint: str, outcome_unknown_if_lost: bool
) -> TikTokError:
    """Classify a ``requests`` exception without copying its URL-bearing text."""
    kind = type(exc).__name__
    if _failed_before_sending(exc):
        return TikTokTransientError(
            code=CONNECTION_FAILED,
            message=f"{kind}: could not connect, nothing was sent.",
            endpoint=endpoint,
        )
    if isinstance(
        exc,
        requests.Timeout
        | requests.ConnectionError
        | requests.exceptions.ChunkedEncodingError
        | requests.exceptions.ContentDecodingError,
    ):
        error_class = (
            TikTokAmbiguousError if outcome_unknown_if_lost else TikTokTransientError
        )
        return error_class(
            code=RESPONSE_LOST,
            message=f"{kind}: the request was sent but no complete answer came back.",
            endpoint=endpoint,
        )
    return TikTokRejectedError(
        code=REQUEST_NOT_SENDABLE,
        message=f"{kind}: the request could not be built.",
        endpoint=endpoint,
    )


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    endpoint: str,
    timeout: Timeout,
    outcome_unknown_if_lost: bool,
    **request_kwargs: Any,
) -> requests.Response:
    """Send one request with redirects off; raise TikTokError on transport failure.

    ``outcome_unknown_if_lost`` marks a non-idempotent request: losing its answer
    raises TikTokAmbiguousError instead of TikTokTransientError.
    """
    try:
        return session.request(
            method, url, timeout=timeout, allow_redirects=False, **request_kwargs
        )
    except requests.RequestException as exc:
        # "from None": the original exception's text holds the URL.
        raise transport_error(
            exc, endpoint=endpoint, outcome_unknown_if_lost=outcome_unknown_if_lost
        ) from None


def json_object(response: requests.Response) -> dict[str, Any] | None:
    """The body as a JSON object, or None if it is empty or not an object."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


@dataclass(frozen=True, slots=True)
class Observed(Generic[T]):
    """A call's result with what the call record needs to know about it."""

    value: T
    http_status: int
    code: str
    log_id: str


class CallRecorder:
    """Times each call, logs one line about it and hands a CallRecord to ``on_call``.

    The log line carries endpoint, HTTP status, code, log_id and duration only:
    never tokens, URLs or bodies.
    """

    def __init__(self, on_call: Callable[[CallRecord], None] | None = None) -> None:
        self._on_call = on_call

    def observe(
        self, *, endpoint: str, method: str, call: Callable[[], Observed[T]]
    ) -> T:
        """Run ``call``, record its outcome, and return its value or re-raise."""
        started = time.monotonic()
        try:
            observed = call()
        except TikTokError as error:
            self._record(
                endpoint,
                method,
                started,
                error.http_status,
                error.code,
                error.log_id,
                error_class=type(error).__name__,
            )
            raise
        except Exception as error:
            self._record(
                endpoint,
                method,
                started,
                None,
                "",
                "",
                error_class=type(error).__name__,
            )
            raise
        self._record(
            endpoint,
            method,
            started,
            observed.http_status,
            observed.code,
            observed.log_id,
            error_class=None,
        )
        return observed.value

    def _record(
        self,
        endpoint: str,
        method: str,
        started: float,
        http_status: int | None,
        code: str,
        log_id: str,
        *,
        error_class: str | None,
    ) -> None:
        record = CallRecord(
            endpoint=endpoint,
            method=method,
            http_status=http_status,
            code=code,
            log_id=log_id,
            duration_ms=round((time.monotonic() - started) * 1000),
            error_class=error_class,
        )
        logger.log(
            logging.INFO if error_class is None else logging.WARNING,
            "TikTok %s %s: HTTP %s, code %s, log_id %s, %d ms%s",
            method,
            endpoint,
            http_status if http_status is not None else "-",
            code or "-",
            log_id or "-",
            record.duration_ms,
            f", raised {error_class}" if error_class else "",
            extra={"tiktok_call": record},
        )
        if self._on_call is None:
            return
        try:
            self._on_call(record)
        except Exception:
            # The call has already happened at TikTok; losing its result because
            # the audit hook failed would be worse than a missing audit row.
            logger.exception("The on_call hook failed for TikTok %s.", endpoint)
