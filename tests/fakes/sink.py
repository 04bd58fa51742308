"""A push service stand-in for benchmarks: accepts every POST with 201, as cheaply as possible.

In production the push service runs on someone else's machine; here it shares the benchmark's
two cores with the workers being measured, so it is a bare HTTP/1.1 keep-alive responder on uvloop
(~30 µs a request) rather than the checking fake of webpush_service.py (~150 µs without
decryption). It checks nothing: the tests do that.

    python -m tests.fakes.sink --port 0     # prints "listening on http://127.0.0.1:PORT"

GET /_stats answers {"received", "first_at", "last_at", "p50_at", "p95_at", "topics"} (wall-clock
seconds; topics: messages per Topic header); POST /_reset zeroes it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import time

import uvloop

_CREATED = b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\nTTL: 0\r\n\r\n"


class Counter:
    def __init__(self) -> None:
        self.received = 0
        self.first_at: float | None = None
        self.last_at: float | None = None
        self.times: list[float] = []
        self.topics: dict[str, int] = {}

    def accept(self, topic: str) -> None:
        now = time.time()
        self.received += 1
        if self.first_at is None:
            self.first_at = now
        self.last_at = now
        self.times.append(now)
        self.topics[topic] = self.topics.get(topic, 0) + 1

    def stats(self) -> dict[str, object]:
        def at(q: float) -> float | None:
            return self.times[min(len(self.times) - 1, int(q * len(self.times)))] if self.times else None
        return {"received": self.received, "first_at": self.first_at, "last_at": self.last_at,
                "p50_at": at(0.5), "p95_at": at(0.95), "topics": self.topics}


class SinkProtocol(asyncio.Protocol):
    def __init__(self, counter: Counter) -> None:
        self.counter = counter
        self.buffer = b""
        self.transport: asyncio.WriteTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].decode("latin-1")
            length = 0
            topic = ""
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    length = int(value)
                elif name == "topic":
                    topic = value.strip()
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length:]
            self.respond(head.split(" ", 2), topic)

    def respond(self, request_line: list[str], topic: str) -> None:
        assert self.transport is not None
        method, path = request_line[0], request_line[1]
        if path == "/_stats":
            body = json.dumps(self.counter.stats()).encode()
            self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        elif path == "/_reset":
            self.counter.__init__()  # type: ignore[misc]
            self.transport.write(b"HTTP/1.1 204 No Content\r\n\r\n")
        elif method == "POST":
            self.counter.accept(topic)
            self.transport.write(_CREATED)
        else:
            self.transport.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")


async def serve(host: str, port: int) -> None:
    counter = Counter()
    server = await asyncio.get_running_loop().create_server(lambda: SinkProtocol(counter), host, port)
    bound = server.sockets[0].getsockname()[1]
    print(f"sink push service listening on http://{host}:{bound}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = any free port (printed)")
    args = parser.parse_args()
    uvloop.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
