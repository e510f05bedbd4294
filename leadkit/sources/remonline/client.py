"""The RemOnline REST API over httpx: auth, pacing, retries with backoff, honest errors.

The API key and tokens never appear in a message, a log line or an exception: our own
texts name the method and path (never the query), and of an answer only its message is
repeated, through ``redact`` (see there).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from leadkit.exceptions import ApiError
from leadkit.log import get_logger
from leadkit.redact import Redactor
from leadkit.sources.remonline.ratelimit import RateLimiter

log = get_logger("remonline")
PAGE_SIZE = 50
ENV_KEY = "LEADKIT_REMONLINE_API_KEY"


class Transient(Exception):
    """A failure worth another try: 429, 5xx, timeouts, dropped connections, bad bodies."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return min(float(value), 120.0) if value is not None else None
    except ValueError:
        return None


class RemonlineClient:
    """GET/POST with the pace, the retries and the auth of the RemOnline API."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        auth: str = "bearer",
        timeout: float = 30.0,
        retries: int = 6,
        backoff: float = 0.5,
        rate: float = 3.0,
        limiter: RateLimiter | None = None,
    ) -> None:
        self._key = api_key
        self.redact = Redactor(api_key)
        self._auth = auth
        self._token: str | None = None
        self._backoff = backoff
        self._retries = retries
        self.limiter = limiter or RateLimiter(rate)
        self.requests = 0
        self.retried = 0
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout),
            headers={"Accept": "application/json", "User-Agent": "leadkit"},
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RemonlineClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def scrub(self, text: str) -> str:
        """``text`` with the API key and every token masked, in any common encoding."""
        return self.redact(text)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, Transient) and exc.retry_after is not None:
            return exc.retry_after
        return float(min(30.0, self._backoff * 2 ** (state.attempt_number - 1) * random.uniform(0.5, 1.5)))

    def _before_sleep(self, state: RetryCallState) -> None:
        self.retried += 1
        exc = state.outcome.exception() if state.outcome else None
        log.info("retrying after %s (attempt %d)", self.scrub(str(exc)), state.attempt_number)

    def request(self, method: str, path: str, params: dict[str, Any] | None = None, body: Any = None) -> Any:
        """One API call with retries; returns the decoded body of a successful answer."""
        retrying = Retrying(
            retry=retry_if_exception_type(Transient),
            stop=stop_after_attempt(self._retries + 1),
            wait=self._wait,
            before_sleep=self._before_sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._once(method, path, params or {}, body)
        except Transient as exc:
            raise ApiError(
                f"RemOnline API: {method} {path} still failing after {self._retries + 1} attempts "
                f"({self.scrub(str(exc))}); try again later or raise source.retries"
            ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _credentials(self, path: str) -> tuple[dict[str, str], dict[str, str]]:
        if path.startswith("/token/"):
            return {}, {}
        if self._auth == "bearer":
            return {"Authorization": f"Bearer {self._key}"}, {}
        if self._token is None:
            self._token = self._new_token()
        return {}, {"token": self._token}

    def _new_token(self) -> str:
        body = self.request("POST", "/token/new", body={"api_key": self._key})
        token = body.get("token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise ApiError("RemOnline API: POST /token/new answered without a token; check the API key")
        self.redact.add(token)
        return token

    def _once(self, method: str, path: str, params: dict[str, Any], body: Any, renewed: bool = False) -> Any:
        headers, auth_params = self._credentials(path)
        self.limiter.wait()
        self.requests += 1
        try:
            response = self._http.request(method, path, params={**params, **auth_params}, json=body, headers=headers)
        except httpx.TimeoutException:
            raise Transient(f"{method} {path} timed out") from None
        except httpx.TransportError as exc:
            raise Transient(f"{method} {path}: connection failed ({type(exc).__name__})") from None
        finally:
            self.limiter.done()
        status = response.status_code
        if status == 429:
            raise Transient(f"{method} {path}: 429 too many requests", _retry_after(response))
        if status >= 500:
            said = self._said(response)
            raise Transient(f"{method} {path}: server error {status}{said}", _retry_after(response))
        if status == 401 and self._auth == "token" and not renewed and not path.startswith("/token/"):
            self._token = None  # expired: get a new one, once
            return self._once(method, path, params, body, renewed=True)
        if status >= 400:
            raise ApiError(self._refusal(method, path, response))
        if 300 <= status < 400:
            raise ApiError(self._redirect(method, path, response))
        try:
            data = response.json()
        except ValueError:
            raise Transient(f"{method} {path}: the body is not valid JSON") from None
        if not isinstance(data, (dict, list)):
            raise Transient(f"{method} {path}: the body is neither a JSON object nor a list")
        if isinstance(data, dict) and data.get("success") is False:
            raise Transient(f"{method} {path}: success=false{self._said(response)}")
        return data

    def _said(self, response: httpx.Response) -> str:
        """``": <message>"`` of a JSON answer, masked and capped; nothing for any other body."""
        try:
            message = self.redact.message(response.json())
        except ValueError:
            message = ""
        return f": {message}" if message else ""

    def _refusal(self, method: str, path: str, response: httpx.Response) -> str:
        hints = {
            401: f"the API key was refused; set a valid key in the environment variable {ENV_KEY}",
            403: "the API key may not read this; check its permissions in RemOnline",
            404: "not found; check source.base_url",
        }
        hint = hints.get(response.status_code, "the request was refused")
        return f"RemOnline API: {method} {path} answered {response.status_code}{self._said(response)} — {hint}"

    def _redirect(self, method: str, path: str, response: httpx.Response) -> str:
        target = urlsplit(response.headers.get("Location", ""))
        where = f"{target.scheme}://{target.hostname}" if target.scheme and target.hostname else ""
        to = f" to {self.redact.echo(where + target.path)}" if target.path or where else ""
        ours = f"{self._http.base_url.scheme}://{self._http.base_url.host}"
        fix = "check source.base_url" if where in ("", ours) else f"set source.base_url to {self.redact.echo(where)}"
        return f"RemOnline API: {method} {path} answered {response.status_code}, a redirect{to} — {fix}"

    def pages(self, path: str, params: dict[str, Any], first_page: int = 1) -> Iterator[tuple[int, list[Any], int]]:
        """(page, items, count) for each page; the count is re-read on every page."""
        page = first_page
        while True:
            body = self.request("GET", path, {**params, "page": page})
            items, count = (body.get("data"), body.get("count")) if isinstance(body, dict) else (None, None)
            if not isinstance(items, list) or not isinstance(count, int):
                raise ApiError(f"RemOnline API: GET {path} page {page} has no data list or count")
            yield page, items, count
            if not items or page * PAGE_SIZE >= count:
                return
            page += 1

    def reference(self, path: str) -> list[dict[str, Any]]:
        """A reference list (types, statuses, employees, branches), paged or not."""
        body = self.request("GET", path)
        items = body if isinstance(body, list) else body.get("data")
        if not isinstance(items, list):
            raise ApiError(f"RemOnline API: GET {path} has no data list")
        if isinstance(body, dict) and isinstance(body.get("count"), int) and body["count"] > len(items):
            items = [item for _, page_items, _ in self.pages(path, {}) for item in page_items]
        return [i for i in items if isinstance(i, dict)]
