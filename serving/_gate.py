"""The ASGI gate in front of the service: request ids, API keys, body limits, 422s.

- every response carries ``X-Request-ID`` (also written to the audit log);
- every route except the health and documentation ones needs an API key
  (``Authorization: Bearer <key>`` or ``X-API-Key``), compared in constant time;
- a body larger than ``max_body_bytes`` is refused with 413 before it is parsed;
- BentoML answers a request that does not match the pydantic models with 400: the gate turns
  it into 422 with one problem per field (its path and the reason);
- the log has request ids, routes, statuses, sizes and timings only (no debtor data).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ._batching import ACTIVITY
from ._config import ENV, ServiceConfig
from ._metrics import service_metrics

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

logger = logging.getLogger("collectscore.serving")

#: Routes anyone may call: health checks, metrics and the API documentation.
OPEN_ROUTES = frozenset({"/livez", "/readyz", "/healthz", "/metrics", "/docs.json", "/", "/docs"})
OPEN_PREFIXES = ("/static_content/",)
#: Routes whose body is JSON (anything else is refused with 415).
JSON_ROUTES = frozenset({"/score", "/explain"})
#: The key of the gate's values in the ASGI scope.
SCOPE_KEY = "collectscore"


class Gate:
    """Pure ASGI middleware (see the module docstring)."""

    def __init__(self, app: Any, config: ServiceConfig | None = None) -> None:
        self.app = app
        config = config or ServiceConfig.from_env()
        self.max_body = config.max_body_bytes
        self._keys = [k.encode() for k in config.accepted_keys()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = uuid.uuid4().hex
        path = scope.get("path", "")
        state: dict[str, Any] = {"request_id": request_id, "body_sha256": "", "active": False}
        scope[SCOPE_KEY] = state
        status = {"code": 0, "bytes": 0}

        async def reply(code: int, body: dict[str, Any], headers: list[Any] = ()) -> None:  # type: ignore[assignment]
            data = json.dumps({**body, "request_id": request_id}).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": code,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(data)).encode()),
                        (b"x-request-id", request_id.encode()),
                        *headers,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": data})
            status["code"] = code

        try:
            public = path in OPEN_ROUTES or path.startswith(OPEN_PREFIXES)
            if not public and not self._authorised(scope):
                await reply(
                    401,
                    {
                        "error": "missing or invalid API key: send 'Authorization: Bearer "
                        "<key>' or 'X-API-Key: <key>'"
                    },
                    [(b"www-authenticate", b"Bearer")],
                )
                return
            if scope.get("method") == "POST" and path in JSON_ROUTES:
                ACTIVITY.arrive()  # the batcher waits for it (see MicroBatcher)
                state["active"] = True
            if scope.get("method") == "POST":
                if path in JSON_ROUTES and _media_type(scope) not in ("", "application/json"):
                    await reply(
                        415, {"error": "send the body as JSON (Content-Type: application/json)"}
                    )
                    return
                body = await self._body(scope, receive)
                if body is None:
                    await reply(
                        413,
                        {
                            "error": f"request body larger than {self.max_body} bytes "
                            f"({ENV['max_body_bytes']}). Fix: send fewer debtors per request."
                        },
                    )
                    return
                state["body_sha256"] = hashlib.sha256(body).hexdigest()
                status["bytes"] = len(body)
                receive = _replay(body, receive)
            await self.app(scope, receive, _Rewriter(send, request_id, status))
        finally:
            if state["active"]:
                state["active"] = False
                ACTIVITY.leave()
            service_metrics().answered(path, status["code"])
            logger.info(
                "request %s %s %s -> %s (%d bytes in) %.1f ms",
                request_id,
                scope.get("method"),
                path,
                status["code"],
                status["bytes"],
                (time.perf_counter() - started) * 1000,
            )

    def _authorised(self, scope: Scope) -> bool:
        given = b""
        for name, value in scope.get("headers", []):
            if name == b"authorization" and value[:7].lower() == b"bearer ":
                given = value[7:].strip()
            elif name == b"x-api-key" and not given:
                given = value.strip()
        if not given:
            return False
        ok = False
        for key in self._keys:  # no early exit: the time does not depend on which key
            ok |= hmac.compare_digest(given, key)
        return ok

    async def _body(self, scope: Scope, receive: Receive) -> bytes | None:
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    if int(value) > self.max_body:
                        return None
                except ValueError:
                    pass
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _media_type(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return value.decode("latin-1").split(";")[0].strip().lower()
    return ""


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class _Rewriter:
    """Adds ``X-Request-ID``; turns BentoML's 400 for invalid input into a 422."""

    def __init__(self, send: Send, request_id: str, status: dict[str, int]) -> None:
        self.send = send
        self.request_id = request_id
        self.status = status
        self.held: Message | None = None
        self.chunks: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status["code"] = message["status"]
            headers = [
                (k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"
            ]
            message = {
                **message,
                "headers": [*headers, (b"x-request-id", self.request_id.encode())],
            }
            if message["status"] == 400:
                self.held = message
                return
            await self.send(message)
            return
        if message["type"] == "http.response.body" and self.held is not None:
            self.chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            status, body = invalid_input(b"".join(self.chunks), self.request_id)
            self.status["code"] = status
            headers = [
                (k, v)
                for k, v in self.held.get("headers", [])
                if k.lower() not in (b"content-length", b"content-type")
            ]
            await self.send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        *headers,
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await self.send({"type": "http.response.body", "body": body})
            self.held = None
            return
        await self.send(message)


def invalid_input(body: bytes, request_id: str) -> tuple[int, bytes]:
    """422 with one problem per invalid field, from BentoML's 400 body."""
    try:
        data = json.loads(body)
    except ValueError:
        data = {"error": body.decode(errors="replace")}
    details = data.get("detail") if isinstance(data, dict) else None
    problems = []
    for item in details if isinstance(details, list) else []:
        loc = [p for p in item.get("loc", ()) if p not in ("root",)]
        problems.append(
            {
                "loc": loc,
                "field": _dotted(loc),
                "message": str(item.get("msg", "")),
                "type": str(item.get("type", "")),
            }
        )
    if problems:
        text = "; ".join(f"{p['field'] or 'body'}: {p['message']}" for p in problems[:10])
        error = (
            f"invalid request ({len(problems)} problem{'s' if len(problems) != 1 else ''}): {text}"
        )
    else:
        error = (
            str(data.get("error", "invalid request"))
            if isinstance(data, dict)
            else "invalid request"
        )
    out = {"error": error, "problems": problems, "request_id": request_id}
    return 422, json.dumps(out).encode()


def _dotted(loc: list[Any]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
