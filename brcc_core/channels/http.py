"""Shared plumbing of the WooCommerce and Eventbrite clients.

In the manner of stripe-python and spotipy: one ``requests.Session`` per client, an
``HTTPAdapter`` whose urllib3 ``Retry`` retries idempotent reads only, explicit
``(connect, read)`` timeouts on every call, and a small exception hierarchy whose
messages a manager can read.

Secrets: WooCommerce's query-string auth puts the consumer secret in the URL, and
requests' and urllib3's exceptions, ``Retry.history`` and DEBUG log lines all carry the
full URL. So no message here is ever built from a library exception or a URL: only from
the channel, the HTTP method and the path (never the query string). Library exceptions
are re-raised ``from None`` so their text is not chained onto ours, and urllib3's own
loggers get a filter that masks credential query parameters.
"""

from __future__ import annotations

import email.utils
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    InvalidHeader,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    ResponseError,
    SSLError,
)
from urllib3.util.retry import Retry

from brcc_core.common import clock
from brcc_core.common.club import Channel
from brcc_core.common.secret import Secret

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT: tuple[float, float] = (5, 30)
# Longest wait we accept from a Retry-After header. A host asking for minutes would
# freeze the manager's page that long; better to fail with RateLimited and say when.
RETRY_AFTER_CAP_SECONDS = 30.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD"})

Progress = Callable[[int, int | None], None]
"""``progress(done, total)``; ``total`` is None when the API does not say (continuation)."""


# --- exceptions -------------------------------------------------------------------------
class IntegrationError(Exception):
    """A call to WooCommerce or Eventbrite failed; ``str()`` is safe to show a manager.

    ``retryable`` says whether trying again later may help (rate limits, outages,
    timeouts) or not (a wrong key, a refused change).
    """

    default_retryable = False

    def __init__(
        self,
        channel: str,
        message: str,
        *,
        retryable: bool | None = None,
        status: int | None = None,
        code: str | None = None,
        method: str | None = None,
        path: str | None = None,
    ):
        super().__init__(message)
        self.channel = channel
        self.message = message
        self.retryable = self.default_retryable if retryable is None else retryable
        self.status = status
        self.code = code
        self.method = method
        self.path = path

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(channel={self.channel!r}, message={self.message!r})"

    def __reduce__(self):
        # Errors travel with cached results (pickle) and across threads (copy); the
        # keyword-only constructor needs this to rebuild them.
        return (_rebuild_error, (type(self), dict(self.__dict__)))


def _rebuild_error(cls: type[IntegrationError], state: dict) -> IntegrationError:
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("message", ""))
    error.__dict__.update(state)
    return error


class AuthError(IntegrationError):
    """The API refused our credentials (or they lack a permission)."""


class RateLimited(IntegrationError):
    """The API or the host throttles us; ``retry_after`` seconds, when it said."""

    default_retryable = True

    def __init__(self, channel: str, message: str, *, retry_after: float | None = None, **kw):
        super().__init__(channel, message, **kw)
        self.retry_after = retry_after


class Unreachable(IntegrationError):
    """No answer: DNS, connection refused, TLS failure or timeout."""

    default_retryable = True


class UpstreamError(IntegrationError):
    """The server answered, but with a 5xx or something that is not the expected JSON."""

    default_retryable = True


class NotFound(IntegrationError):
    """The product, event or ticket class does not exist (any more)."""


class Rejected(IntegrationError):
    """A 4xx with the API's own error code and message (e.g. ``INVALID_TICKET``)."""


# --- retry policy -----------------------------------------------------------------------
def _sleep(seconds: float) -> None:
    """The one place retries sleep; tests patch it to see how long we would wait."""
    time.sleep(seconds)


class ReadRetry(Retry):
    """urllib3 ``Retry`` for idempotent reads only, with Retry-After honoured but capped.

    Why a subclass:
    - the cap: urllib3 before 2.6 has no limit on a server's Retry-After (2.6+ has
      ``retry_after_max``, default 6 hours); a proxy answering ``Retry-After: 3600``
      would block the page for an hour. ``parse_retry_after`` clamps to 30 s on every
      urllib3 version;
    - writes: urllib3 retries *connection* errors for every method; a POST or PUT must
      never be sent twice behind the manager's back, so ``increment`` gives up at once
      for non-idempotent methods;
    - counting: ``on_retry`` is called for every extra attempt so a client can count the
      calls it really made (Eventbrite's hourly budget counts retries too);
    - sleeping through ``_sleep`` so tests can observe the wait without waiting.
    """

    on_retry: Callable[[], None] | None = None

    def new(self, **kw: Any) -> ReadRetry:
        retry = super().new(**kw)
        retry.on_retry = self.on_retry
        return retry

    def parse_retry_after(self, retry_after: str) -> float:
        return min(float(super().parse_retry_after(retry_after)), RETRY_AFTER_CAP_SECONDS)

    def get_retry_after(self, response: Any) -> float | None:
        try:
            return super().get_retry_after(response)
        except InvalidHeader:
            return None  # garbage Retry-After: fall back to our own backoff

    def _waits_too_long(self, response: Any) -> bool:
        """True when the answer's Retry-After asks for longer than we ever wait."""
        raw = response.headers.get("Retry-After") if hasattr(response, "headers") else None
        if not raw:
            return False
        try:
            asked = Retry.parse_retry_after(self, raw)
        except InvalidHeader:
            return False
        return asked > RETRY_AFTER_CAP_SECONDS

    def sleep_for_retry(self, response: Any) -> bool:
        retry_after = self.get_retry_after(response)
        if retry_after:
            _sleep(retry_after)
            return True
        return False

    def _sleep_backoff(self) -> None:
        backoff = self.get_backoff_time()
        if backoff > 0:
            _sleep(backoff)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> Retry:
        if method is not None and not self._is_method_retryable(method):
            raise MaxRetryError(_pool, url, error or ResponseError("write not retried"))
        if response is not None and self._waits_too_long(response):
            # A host asking for more than a page waits (429 with Retry-After: 3600): three
            # capped waits of 30 s each made a manager wait 91 s for the same refusal.
            # Give the answer back at once; the error says when to try again.
            raise MaxRetryError(_pool, url, error or ResponseError("Retry-After too long"))
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        if self.on_retry is not None:
            self.on_retry()
        return retry


def read_retry(on_retry: Callable[[], None] | None = None) -> ReadRetry:
    """The retry policy of both clients: 3 tries more for GET/HEAD on 429/5xx."""
    retry = ReadRetry(
        total=3,
        connect=2,
        read=1,
        status=3,
        other=0,
        allowed_methods=IDEMPOTENT_METHODS,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=0.5,
        backoff_max=RETRY_AFTER_CAP_SECONDS,
        respect_retry_after_header=True,
        # Give us the last 429/503 instead of urllib3's RetryError, so the error we raise
        # carries the API's own code and Retry-After.
        raise_on_status=False,
    )
    retry.on_retry = on_retry
    return retry


# --- log redaction ----------------------------------------------------------------------
_CREDENTIAL_PARAM = re.compile(
    r"((?:consumer_secret|consumer_key|token|access_token|oauth_signature)=)[^&\s'\"]+",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """``text`` with credential query parameters masked."""
    return _CREDENTIAL_PARAM.sub(r"\1****", text)


class _RedactCredentials(logging.Filter):
    """Masks credentials in urllib3's DEBUG lines, which print the full request URL."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is urllib3's business
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


_REDACTOR = _RedactCredentials()
for _name in ("urllib3.connectionpool", "urllib3.util.retry", "urllib3.poolmanager"):
    _logger = logging.getLogger(_name)
    if _REDACTOR not in _logger.filters:
        _logger.addFilter(_REDACTOR)


def reveal(value: str | Secret) -> str:
    """The plain value of a credential given as ``str`` or ``Secret``."""
    return value.reveal() if isinstance(value, Secret) else str(value)


# --- what went wrong on the wire ---------------------------------------------------------
def transport_cause(exc: BaseException) -> str | None:
    """``connect_timeout``, ``read_timeout``, ``tls``, ``refused``, ``name``, ``connect`` or
    ``dropped``
    for a requests/urllib3 failure (None when it is none of these).

    requests reports a read timeout that urllib3 retried as a plain ``ConnectionError``
    wrapping ``MaxRetryError``; without looking inside, a held answer read as "could not
    connect". So the chain of causes is walked, newest first."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    found: list[BaseException] = []
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        found.append(current)
        pending.extend(
            [
                getattr(current, "reason", None),
                *[a for a in getattr(current, "args", ()) if isinstance(a, BaseException)],
                current.__cause__,
                current.__context__,
            ]
        )
    kinds = [type(e) for e in found]

    def has(*types: type) -> bool:
        return any(issubclass(k, types) for k in kinds)

    text = " ".join(str(e) for e in found).lower()
    # urllib3's NewConnectionError subclasses ConnectTimeoutError: test it first.
    if has(NameResolutionError, socket.gaierror):
        return "name"
    if has(ConnectionRefusedError) or (has(NewConnectionError) and "refused" in text):
        return "refused"
    if has(NewConnectionError):
        return "connect"
    if has(requests.exceptions.ConnectTimeout, ConnectTimeoutError):
        return "connect_timeout"
    if has(requests.exceptions.ReadTimeout, ReadTimeoutError, TimeoutError, socket.timeout):
        return "read_timeout"
    if has(requests.exceptions.SSLError, SSLError):
        return "tls"
    if has(requests.exceptions.ConnectionError, ProtocolError, ConnectionError):
        return "dropped"
    return None


def wait_words(seconds: float) -> str:
    """How long a host asks us to wait, as a manager reads it: "in 45 s", "in 60 min"."""
    if seconds < 120:
        return f"in {seconds:g} s"
    return f"in {round(seconds / 60):g} min"


def no_answer_within(seconds: float) -> str:
    """How every wait that ran out is worded: by the HTTP read timeout, the page's
    deadline or the refresh's."""
    return f"no answer within {seconds:g} s (timed out)"


# --- the base client --------------------------------------------------------------------
class ApiClient:
    """One API's session, retry adapter, timeouts, call counting and error mapping.

    Subclasses set ``channel`` and implement ``_error_from_response``.
    """

    channel: str = ""

    def __init__(
        self,
        base_url: str,
        *,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        pool_size: int = 10,
    ):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.calls = 0
        self._calls_lock = threading.Lock()
        self.session = session if session is not None else requests.Session()
        # Our retry adapter serves this API's host only. An injected session may already
        # route the host elsewhere (the sandbox's in-process transport): keep that.
        prefix = self.base_url + "/"
        if type(self.session.get_adapter(prefix)) is HTTPAdapter:
            adapter = HTTPAdapter(
                max_retries=read_retry(self._count_retry),
                pool_connections=2,
                pool_maxsize=max(10, pool_size),
            )
            self.session.mount(prefix, adapter)

    @property
    def label(self) -> str:
        return Channel(self.channel).label

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, calls={self.calls})"

    # Counting --------------------------------------------------------------------------
    def _record_call(self) -> None:
        """One HTTP request went out (first attempt or retry)."""
        with self._calls_lock:
            self.calls += 1

    def _count_retry(self) -> None:
        self._record_call()

    # Sending ---------------------------------------------------------------------------
    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        auth: Any = None,
    ) -> requests.Response:
        """Send one call (urllib3 may retry a read); map transport failures to ours."""
        url = self.base_url + path
        self._record_call()
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                json=json,
                headers=dict(headers or {}),
                auth=auth,
                timeout=self.timeout,
            )
        except requests.exceptions.RequestException as exc:
            error = self._transport_error(exc, method, path)
        else:
            error = None
        if error is not None:
            # Outside the except block: nothing of requests' exception (it holds the URL,
            # and with WooCommerce query auth the secret) is chained onto ours.
            log.info("%s %s %s failed: %s", self.label, method, path, type(error).__name__)
            raise error
        log.debug(
            "%s %s %s -> %s in %.0f ms",
            self.label,
            method,
            path,
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        return response

    def _transport_error(self, exc: Exception, method: str, path: str) -> IntegrationError:
        where = f"{method} {path}"
        is_write = method.upper() not in IDEMPOTENT_METHODS
        maybe_applied = (
            " The change may or may not have been applied: re-read before trying again."
            if is_write
            else ""
        )
        # "Website unreachable", "Eventbrite API unreachable": the website is its own name.
        what = "" if self.channel == Channel.WOOCOMMERCE else " API"
        detail = {
            "connect_timeout": f"no connection within {self.timeout[0]:g} s (timed out)",
            "read_timeout": no_answer_within(self.timeout[1]) + maybe_applied,
            "tls": "the secure connection failed (certificate or TLS problem)",
            "refused": "the connection was refused (nothing listening, or a firewall)",
            "name": "its address could not be looked up (DNS)",
            "connect": "could not connect (network down or blocked)",
            "dropped": "the connection was dropped before an answer" + maybe_applied,
        }.get(transport_cause(exc) or "")
        if detail is not None:
            return Unreachable(
                self.channel,
                f"{self.label}{what} unreachable: {detail} ({where}).",
                method=method,
                path=path,
            )
        return UpstreamError(
            self.channel,
            f"{self.label} answered {where} in a way we could not read "
            f"({type(exc).__name__}).{maybe_applied}",
            method=method,
            path=path,
        )

    def _json(self, response: requests.Response, method: str, path: str) -> Any:
        """The decoded body of a 2xx answer, or UpstreamError when it is not JSON."""
        try:
            return response.json()
        except ValueError:
            pass
        raise UpstreamError(
            self.channel,
            f"{self.label} answered with something that is not JSON on {method} {path} "
            "(a maintenance page, a firewall challenge or a cut-off answer).",
            status=response.status_code,
            method=method,
            path=path,
        )

    def _error_body(self, response: requests.Response) -> dict:
        """The JSON error object of a failed call, or {} when there is none."""
        try:
            body = response.json()
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    @staticmethod
    def _retry_after(response: requests.Response) -> float | None:
        raw = response.headers.get("Retry-After")
        if raw is None:
            return None
        try:
            return max(0.0, float(raw.strip()))
        except ValueError:
            pass
        try:  # the HTTP-date form
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        return max(0.0, (when - clock.now()).total_seconds())

    def _status_error(
        self,
        response: requests.Response,
        method: str,
        path: str,
        *,
        code: str | None,
        detail: str,
    ) -> IntegrationError:
        """The generic mapping by status, once the subclass has looked at ``code``."""
        status = response.status_code
        where = f"{method} {path}"
        suffix = f": {detail}" if detail else ""
        common = dict(status=status, code=code, method=method, path=path)
        if status == 429:
            retry_after = self._retry_after(response)
            when = " Try again shortly."
            if retry_after:
                when = f" Try again {wait_words(retry_after)}."
            return RateLimited(
                self.channel,
                f"{self.label} is limiting how fast we call it ({where}).{when}",
                retry_after=retry_after,
                **common,
            )
        if status == 404:
            return NotFound(self.channel, f"{self.label} has nothing at {path}{suffix}", **common)
        if status >= 500:
            return UpstreamError(
                self.channel,
                f"{self.label} failed on its side (HTTP {status}) on {where}{suffix}",
                **common,
            )
        label = code or f"HTTP {status}"
        return Rejected(self.channel, f"{self.label} refused {where} ({label}){suffix}", **common)
