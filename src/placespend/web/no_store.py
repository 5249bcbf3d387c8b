"""Nothing the app answers from the workspace is kept by a browser or a proxy (OWASP ASVS 4.0.3 V8.1.1 and
V8.2.1): partners' returns, linkage results and the audit log are for the signed-in user, now, only.

A plain ASGI middleware (not Starlette's BaseHTTPMiddleware) so streamed downloads stream as before. The
package's own scripts and styles, the same for everyone, may still be cached.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CACHEABLE = ("/static/", "/static-vendor/")


class NoStore:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CACHEABLE):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                message = {**message, "headers": [*headers, (b"cache-control", b"no-store")]}
            await send(message)

        await self.app(scope, receive, send_no_store)
