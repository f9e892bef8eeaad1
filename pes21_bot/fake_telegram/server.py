"""HTTP transport: a tornado server on 127.0.0.1 speaking like api.telegram.org."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.web

from pes21_bot.fake_telegram.core import FakeBotApi
from pes21_bot.fake_telegram.errors import ApiResponse, SimulatedTimeout
from pes21_bot.fake_telegram.spec import UploadedFile

LOOPBACK = "127.0.0.1"
_NOT_FOUND = ApiResponse(404, {"ok": False, "error_code": 404, "description": "Not Found"})


class FakeBotApiServer:
    """Serve a :class:`FakeBotApi` over HTTP, bound to 127.0.0.1 only.

    ``await start()`` returns the base_url for PTB (``http://127.0.0.1:PORT/bot``); files are
    served under :attr:`base_file_url`. An injected ``timeout`` fault holds the request for
    ``timeout_hold`` seconds (cancelled when the client disconnects or the server stops), then
    closes the connection without any response: a client with a shorter read timeout sees a
    timeout (PTB: ``TimedOut``), one with a longer timeout sees the connection dropped.
    """

    def __init__(
        self,
        api: FakeBotApi,
        host: str = LOOPBACK,
        port: int = 0,
        timeout_hold: float = 30.0,
    ) -> None:
        if host != LOOPBACK:
            raise ValueError("the fake Bot API only binds to 127.0.0.1")
        self.api = api
        self.host = host
        self.port = port
        self.timeout_hold = timeout_hold
        self._http: tornado.httpserver.HTTPServer | None = None
        self._inflight: set[asyncio.Future[Any]] = set()

    @property
    def base_url(self) -> str:
        """Value for ``ApplicationBuilder().base_url(...)``."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``ApplicationBuilder().base_file_url(...)``."""
        return f"http://{self.host}:{self.port}/file/bot"

    async def start(self) -> str:
        """Bind and start serving; return :attr:`base_url`."""
        if self._http is not None:
            return self.base_url
        app = tornado.web.Application(
            [
                (r"/file/bot([^/]+)/(.+)", _FileHandler, {"server": self}),
                (r"/bot([^/]+)/([^/]+)/?", _ApiHandler, {"server": self}),
                (r".*", _NotFoundHandler),
            ],
            log_function=lambda _handler: None,
        )
        sockets = tornado.netutil.bind_sockets(self.port, address=self.host, family=socket.AF_INET)
        self.port = sockets[0].getsockname()[1]
        self._http = tornado.httpserver.HTTPServer(app, max_body_size=64 * 1024 * 1024)
        self._http.add_sockets(sockets)
        return self.base_url

    async def stop(self) -> None:
        """Abort held/long-polling requests, close every connection and unbind."""
        if self._http is None:
            return
        http, self._http = self._http, None
        http.stop()
        for future in list(self._inflight):
            future.cancel()
        await http.close_all_connections()

    async def __aenter__(self) -> FakeBotApiServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def _run(self, handler: _ApiHandler, future: asyncio.Future[Any]) -> bool:
        """Await ``future`` (cancellable by disconnect/stop); False if it was cancelled."""
        if self._http is None:  # stopping: abort at once
            future.cancel()
        self._inflight.add(future)
        handler.current = future
        try:
            await asyncio.wait([future])
        finally:
            self._inflight.discard(future)
            handler.current = None
        return not future.cancelled()


class _NotFoundHandler(tornado.web.RequestHandler):
    def prepare(self) -> None:
        """Answer 404 like Telegram for any unknown path."""
        self.set_status(404)
        self.set_header("Content-Type", "application/json")
        self.finish(_NOT_FOUND.body())


class _FileHandler(tornado.web.RequestHandler):
    def initialize(self, server: FakeBotApiServer) -> None:
        """Keep a reference to the server."""
        self.server = server

    def get(self, token: str, file_path: str) -> None:
        """Serve a file downloaded by the bot."""
        content = self.server.api.download(token, file_path)
        if content is None:
            self.set_status(404)
            self.set_header("Content-Type", "application/json")
            self.finish(_NOT_FOUND.body())
            return
        self.set_header("Content-Type", "application/octet-stream")
        self.finish(content)


class _ApiHandler(tornado.web.RequestHandler):
    def initialize(self, server: FakeBotApiServer) -> None:
        """Keep a reference to the server."""
        self.server = server
        self.current: asyncio.Future[Any] | None = None

    def compute_etag(self) -> str | None:
        """Disable ETags: API answers are never cached."""
        return None

    def on_connection_close(self) -> None:
        """Abort the long poll or held request of a client that went away."""
        if self.current is not None and not self.current.done():
            self.current.cancel()

    async def get(self, token: str, method: str) -> None:
        """Bot API call with parameters in the query string."""
        await self._serve(token, method)

    async def post(self, token: str, method: str) -> None:
        """Bot API call with a JSON, urlencoded or multipart body."""
        await self._serve(token, method)

    async def _serve(self, token: str, method: str) -> None:
        try:
            params, files = self._decode()
        except ValueError as exc:
            self._reply(
                ApiResponse(
                    400, {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}
                )
            )
            return
        task = asyncio.ensure_future(self.server.api.handle(token, method, params, files))
        if not await self.server._run(self, task):
            self._drop_connection()
            return
        error = task.exception()
        if isinstance(error, SimulatedTimeout):
            await self.server._run(
                self, asyncio.ensure_future(asyncio.sleep(self.server.timeout_hold))
            )
            self._drop_connection()
            return
        if error is not None:
            raise error
        self._reply(task.result())

    def _decode(self) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        request = self.request
        params: dict[str, Any] = {
            name: values[-1].decode("utf-8") for name, values in request.query_arguments.items()
        }
        content_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type == "application/json":
            if request.body.strip():
                try:
                    body = json.loads(request.body)
                except ValueError:
                    raise ValueError("can't parse JSON body") from None
                if not isinstance(body, dict):
                    raise ValueError("JSON body must be an object")
                params.update(body)
        else:
            for name, values in request.body_arguments.items():
                params[name] = values[-1].decode("utf-8")
        files = {
            name: UploadedFile(parts[0].filename, parts[0].body, parts[0].content_type)
            for name, parts in request.files.items()
            if parts
        }
        return params, files

    def _reply(self, response: ApiResponse) -> None:
        self.set_status(response.status)
        self.set_header("Content-Type", "application/json")
        self.finish(response.body())

    def _drop_connection(self) -> None:
        stream = self.detach()
        stream.close()
