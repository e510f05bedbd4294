"""A fake RemOnline API on 127.0.0.1 for tests: the documented shapes, plus switchable faults."""

from __future__ import annotations

import base64
import json
import random
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, quote_plus, urlsplit

TYPES = [
    {"id": 1, "name": "Call"},
    {"id": 2, "name": "Walk-in"},
    {"id": 3, "name": "Website"},
    {"id": 4, "name": "Messenger"},
]
STATUSES = [
    {"id": 10, "name": "New lead", "color": "#fff", "group": 1},
    {"id": 11, "name": "In work", "color": "#fff", "group": 2},
    {"id": 12, "name": "Successful order", "color": "#0f0", "group": 6},
    {"id": 13, "name": "Successful sale", "color": "#0f0", "group": 6},
    {"id": 14, "name": "Expensive", "color": "#f00", "group": 7},
    {"id": 15, "name": "Canceled", "color": "#f00", "group": 7},
]
EMPLOYEES = [{"id": 100 + i, "first_name": f, "last_name": s, "email": f"{f.lower()}@shop.example", "deleted": False}
             for i, (f, s) in enumerate([("Anna", "Koval"), ("Boris", "Petrov"), ("Olga", "Shevchenko")])]  # fmt: skip
BRANCHES = [{"id": 7, "name": "Central"}, {"id": 8, "name": "North"}]
BASE_MS = 1_735_689_600_000  # 2025-01-01T00:00Z

# How a careless or hostile server may echo a credential it was sent.
ECHOES = {
    "as sent": lambda s: s,
    "lower-case": str.lower,
    "upper-case": str.upper,
    "swapped case": str.swapcase,
    "URL-encoded": lambda s: quote(s, safe=""),
    "URL-encoded, plus": quote_plus,
    "URL-encoded twice": lambda s: quote(quote(s, safe=""), safe=""),
    "URL-encoded, lower-case": lambda s: quote(s, safe="").lower(),
    "base64": lambda s: base64.b64encode(s.encode()).decode(),
    "base64 url-safe, no padding": lambda s: base64.urlsafe_b64encode(s.encode()).decode().rstrip("="),
    "basic auth": lambda s: "Basic " + base64.b64encode(f"user:{s}".encode()).decode(),
    "base64 of the header": lambda s: base64.b64encode(f"Bearer {s}".encode()).decode(),
    "hex": lambda s: s.encode().hex(),
    "HEX": lambda s: s.encode().hex().upper(),
    "JSON escapes": lambda s: "".join(f"\\u{ord(c):04x}" for c in s),
    "HTML entities": lambda s: "".join(f"&#{ord(c)};" for c in s),
    "bearer header": lambda s: f"Authorization: Bearer {s}",
    "query pair": lambda s: f"/lead/?page=1&token={quote(s)}&api_key={s}",
}


def make_leads(n: int, seed: int = 1) -> dict[int, dict[str, Any]]:
    rng = random.Random(seed)
    leads = {}
    for i in range(1, n + 1):
        status = rng.choice(STATUSES)
        created = BASE_MS + rng.randrange(0, 300 * 86_400_000)
        closed = created + rng.randrange(3_600_000, 20 * 86_400_000) if status["group"] in (6, 7) else None
        leads[i] = {
            "id": i, "lead_id_label": f"L-{i:05d}", "created_at": created, "closed_at": closed,
            "modified_at": (closed or created) + 1000, "status": dict(status),
            "lead_type_id": rng.choice(TYPES)["id"], "manager_id": rng.choice([*EMPLOYEES, {"id": None}])["id"],
            "branch_id": rng.choice(BRANCHES)["id"], "client": {"id": i, "name": f"Client {i}", "phone": []},
            "contact_name": None, "contact_phone": None, "ad_campaign": None, "description": "",
        }  # fmt: skip
    return leads


@dataclass
class FakeState:
    api_key: str
    leads: dict[int, dict[str, Any]]
    auth: str = "bearer"
    faults: dict[int, dict[str, Any]] = field(default_factory=dict)  # lead-list call number → fault
    modify_after_page: tuple[int, int] | None = None  # (page, lead id): change that lead after the page
    token_lifetime: int | None = None  # legacy tokens expire after this many uses
    log: list[tuple[float, str, str]] = field(default_factory=list)
    lead_calls: int = 0
    tokens: dict[str, int] = field(default_factory=dict)
    echo: tuple[int, str] | None = None  # (status, ECHOES form): answer every lead call so, echoing secrets
    lock: threading.Lock = field(default_factory=threading.Lock)


class Handler(BaseHTTPRequestHandler):
    state: FakeState

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None, raw: bytes | None = None) -> None:
        data = raw if raw is not None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _authorised(self, query: dict[str, list[str]]) -> bool:
        st = self.state
        if st.auth == "bearer":
            header = self.headers.get("Authorization", "")
            ok = header == f"Bearer {st.api_key}"
            given = header.removeprefix("Bearer ")
        else:
            given = (query.get("token") or [""])[0]
            with st.lock:
                uses = st.tokens.get(given)
                ok = uses is not None and (st.token_lifetime is None or uses < st.token_lifetime)
                if ok:
                    st.tokens[given] = uses + 1  # type: ignore[operator]
        if not ok:
            # Like real servers, echo what was sent: the client must never repeat it.
            self._send(401, {"code": 111, "success": False, "message": f"Invalid token {given}"})
        self.given = given
        return ok

    def _echo(self, status: int, form: str) -> None:
        """A refusal repeating the key and the token in ``form``: in its message, headers and a URL."""
        st, given = self.state, self.given
        said = " / ".join(ECHOES[form](s) for s in dict.fromkeys([st.api_key, given]))
        message: Any = f"{said} (request {self.path})"  # the request path echoed, ?token=… and all
        if status == 422:
            message = {"token": given, "api_key": st.api_key, "detail": said}
        body = {"success": False, "code": status, "message": message, "request": self.path, "token": given}
        headers = {"X-Echo": ECHOES["base64"](st.api_key), "WWW-Authenticate": f'Bearer error="{given}"'}
        if status < 400:
            headers["Location"] = f"https://moved.example/{quote(given, safe='')}/lead/?token={quote(given)}"
        self._send(status, body, headers)

    def do_POST(self) -> None:
        st = self.state
        st.log.append((time.monotonic(), "POST", self.path))
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        if urlsplit(self.path).path == "/token/new" and body.get("api_key") == st.api_key:
            token = f"T0k/{len(st.tokens) + 1}+Zq9xW7=Lp"  # '/', '+', '=': encodings differ
            st.tokens[token] = 0
            self._send(200, {"token": token, "success": True})
        else:
            self._send(401, {"code": 111, "success": False, "message": f"Invalid api key {body.get('api_key')}"})

    def do_GET(self) -> None:
        st = self.state
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        st.log.append((time.monotonic(), "GET", parts.path))
        if not self._authorised(query):
            return
        refs = {"/lead/types/": TYPES, "/statuses/leads/": STATUSES, "/employees/": EMPLOYEES, "/branches/": BRANCHES}
        if parts.path in refs:
            data = refs[parts.path]
            return self._send(
                200, data if parts.path == "/lead/types/" else {"data": data, "count": len(data), "success": True}
            )
        if parts.path != "/lead/":
            return self._send(404, {"success": False, "message": "not found"})
        if st.echo:
            return self._echo(*st.echo)
        with st.lock:
            st.lead_calls += 1
            fault = st.faults.pop(st.lead_calls, None)
        if fault and fault["kind"] in ("repeat_previous", "duplicate"):
            return self._leads(query, fault["kind"])
        if fault and self._fault(fault):
            return
        self._leads(query)

    def _fault(self, fault: dict[str, Any]) -> bool:
        kind = fault["kind"]
        if kind == "429":
            self._send(
                429, {"success": False, "message": "rate limit"}, {"Retry-After": str(fault.get("retry_after", 1))}
            )
        elif kind == "503":
            self._send(503, {"success": False, "message": "maintenance"})
        elif kind == "slow":
            time.sleep(fault["seconds"])
            return False  # answers, but too late for the client
        elif kind == "drop":
            self.connection.shutdown(socket.SHUT_RDWR)
            self.connection.close()
        elif kind == "malformed":
            self._send(200, None, raw=b'{"data": [{"id": 1, "created_at": ')
        elif kind == "success_false":
            self._send(200, {"success": False, "message": "temporary failure"})
        return True

    def _leads(self, query: dict[str, list[str]], quirk: str | None = None) -> None:
        st = self.state
        page = int((query.get("page") or ["1"])[0])
        served = max(1, page - 1) if quirk == "repeat_previous" else page
        window = [int(v) for v in query.get("modified_at[]", [])]
        with st.lock:
            items = sorted(st.leads.values(), key=lambda x: -x["id"])  # newest first, like the product
            if len(window) == 2:
                items = [i for i in items if window[0] <= i["modified_at"] <= window[1]]
            chunk = items[(served - 1) * 50 : served * 50]
            if quirk == "duplicate":
                chunk = chunk + chunk[:3]
            body = {"data": json.loads(json.dumps(chunk)), "page": page, "count": len(items), "success": True}
            if st.modify_after_page and st.modify_after_page[0] == page:
                lead = st.leads[st.modify_after_page[1]]
                lead["status"] = dict(STATUSES[5])
                lead["closed_at"] = lead["created_at"] + 1000
                lead["modified_at"] = int(time.time() * 1000) + 5
                st.modify_after_page = None
        self._send(200, body)


class FakeRemonline:
    """Start with ``with FakeRemonline(...) as server``; ``server.url`` is its base URL."""

    def __init__(self, api_key: str, n: int = 600, **options: Any) -> None:
        self.state = FakeState(api_key=api_key, leads=make_leads(n), **options)
        handler = type("BoundHandler", (Handler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeRemonline:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def max_per_second(self) -> int:
        """The most requests that started within any one second."""
        times = sorted(t for t, _, _ in self.state.log)
        return max((sum(1 for u in times[i:] if u - t < 1.0) for i, t in enumerate(times)), default=0)
