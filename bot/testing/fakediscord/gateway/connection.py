"""One websocket to the bot: frames written in order by a single writer task, compressed as
discord.py asked (``compress=zlib-stream`` by default, ``zstd-stream`` when zstandard is
installed, or none), closed after what was queued or dropped without a close frame."""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .protocol import dumps

if TYPE_CHECKING:
    from .session import GatewaySession

log = logging.getLogger(__name__)


class _Compressor:
    def __init__(self, kind: str | None) -> None:
        self.kind = kind
        if kind == "zlib-stream":
            self._z = zlib.compressobj()
        elif kind == "zstd-stream":
            import zstandard

            self._zstd = zstandard
            self._z = zstandard.ZstdCompressor().compressobj()

    def pack(self, text: str) -> bytes | str:
        if self.kind is None:
            return text
        raw = text.encode("utf-8")
        if self.kind == "zlib-stream":
            return self._z.compress(raw) + self._z.flush(zlib.Z_SYNC_FLUSH)
        return self._z.compress(raw) + self._z.flush(self._zstd.COMPRESSOBJ_FLUSH_BLOCK)


@dataclass(frozen=True)
class _Close:
    code: int
    message: bytes


class GatewayConnection:
    """One websocket; a single writer task keeps frames in order."""

    def __init__(
        self, ws: web.WebSocketResponse, compress: str | None, request: web.Request
    ) -> None:
        self.ws = ws
        self.request = request
        self.path = request.path
        self.compressor = _Compressor(compress)
        self.queue: asyncio.Queue[tuple[str | _Close, asyncio.Future[None] | None] | None] = (
            asyncio.Queue()
        )
        self.session: GatewaySession | None = None
        self.closed = False
        self.writer = asyncio.create_task(self._write_loop())
        self.heartbeats = 0
        self.opened_at = time.monotonic()
        self.close_code: int | None = None  # the code the fake closed it with, if it did

    def send(self, text: str, fut: asyncio.Future[None] | None = None) -> None:
        if self.closed:
            if fut is not None and not fut.done():
                fut.set_result(None)
            return
        self.queue.put_nowait((text, fut))

    def send_json(self, obj: Any) -> None:
        self.send(dumps(obj))

    async def _write_loop(self) -> None:
        try:
            while True:
                item = await self.queue.get()
                if item is None:
                    return
                text, fut = item
                try:
                    if isinstance(text, _Close):
                        self.closed = True
                        await self.ws.close(code=text.code, message=text.message)
                        return
                    if not self.closed:
                        packed = self.compressor.pack(text)
                        if isinstance(packed, bytes):
                            await self.ws.send_bytes(packed)
                        else:
                            await self.ws.send_str(packed)
                except (ConnectionError, RuntimeError) as exc:
                    log.debug("gateway write failed: %s", exc)
                    self.closed = True
                finally:
                    if fut is not None and not fut.done():
                        fut.set_result(None)
        finally:
            # Nothing more will be written: release everyone waiting for a frame.
            self.closed = True
            while not self.queue.empty():
                rest = self.queue.get_nowait()
                if rest is not None and rest[1] is not None and not rest[1].done():
                    rest[1].set_result(None)

    async def close(self, code: int = 4000, message: bytes = b"") -> None:
        """Close the socket after the frames queued so far have been written."""
        if self.closed:
            return
        self.close_code = code
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.queue.put_nowait((_Close(code, message), done))
        try:
            await asyncio.wait_for(done, 5)
        except TimeoutError:
            self.abort()

    def abort(self) -> None:
        """Drop the TCP connection without a close frame."""
        self.closed = True
        self.queue.put_nowait(None)
        transport = self.request.transport
        if transport is not None:
            transport.abort()
