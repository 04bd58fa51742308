"""A local map tile server for browser tests: any /{z}/{x}/{y}.png answers a generated 256×256
PNG (light grey, a checkerboard tint and a grid line on the tile's edges), so that screenshots
show a working map without reaching any tile provider.

    with FakeTileServer() as tiles:
        env["TOCSIN_TILE_URL"] = tiles.url_template   # http://127.0.0.1:PORT/{z}/{x}/{y}.png

Standalone: ``python -m tests.fakes.tiles --port 8090``.
"""

from __future__ import annotations

import argparse
import re
import struct
import threading
import zlib
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

SIZE = 256
_PATH = re.compile(r"^/(\d{1,2})/(-?\d+)/(-?\d+)\.png$")
_LIGHT, _DARK, _LINE = (0xEE, 0xF0, 0xF2), (0xE4, 0xE7, 0xEB), (0xB8, 0xBF, 0xC8)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@lru_cache(maxsize=2)
def tile_png(dark: bool) -> bytes:
    """One 8-bit RGB PNG; only two exist (the checkerboard's squares), so they are cached."""
    fill = _DARK if dark else _LIGHT
    inner = bytes(_LINE) + bytes(fill) * (SIZE - 1)
    edge = bytes(_LINE) * SIZE
    rows = [b"\x00" + (edge if y == 0 else inner) for y in range(SIZE)]
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + _chunk(b"IEND", b""))


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        match = _PATH.match(self.path.split("?", 1)[0])
        if not match:
            self.send_error(404)
            return
        _, x, y = (int(g) for g in match.groups())
        body = tile_png((x + y) % 2 == 1)
        with self.server.lock:
            self.server.requests += 1
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=3600")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the tests print what matters


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    lock: threading.Lock
    requests: int


class FakeTileServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _Server((host, port), _Handler)
        self._server.lock = threading.Lock()
        self._server.requests = 0
        address = self._server.server_address
        self.host, self.port = str(address[0]), int(address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-tiles", daemon=True)

    @property
    def url_template(self) -> str:
        return f"http://{self.host}:{self.port}/{{z}}/{{x}}/{{y}}.png"

    @property
    def requests(self) -> int:
        with self._server.lock:
            return self._server.requests

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    args = parser.parse_args()
    server = FakeTileServer(args.host, args.port)
    print(f"tiles at {server.url_template}", flush=True)
    server._server.serve_forever()


if __name__ == "__main__":
    main()
