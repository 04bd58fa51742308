"""Follow one alert from its POST route to the push service's HTTP call, and print the project
files it crosses: a measurement of docs/architecture.md's "path", not an opinion.

    .venv/bin/python scripts/trace_alert_path.py          # --json for a machine-readable report

Everything is real and in one process: a scratch PostGIS database (migrated, Saint-Étienne
imported, a publisher with an API token; dropped at the end), the Starlette app of app/main.py
called through its TestClient, Celery's task table of the workers, and a fake Web Push service
on loopback (tests/fakes/webpush_service.py). Two things are changed so that the call stack is
continuous, and nothing else:

* Redis is replaced by a list: app/wakeups.py publishes into it (`send_task`), and the trace hands
  each wake-up to the worker's Celery app (`celery.tasks[name].apply(...)`), as a worker would;
* hops to other threads run inline: the routes' `blocking` (a thread pool) and the worker
  loop's default executor (`asyncio.to_thread`); a task created on the worker's loop carries the
  stack that created it (gather, run_until_complete), so its stack is stitched to its creator's.

At each moment the request changes hands (a row written, a wake-up published, rows claimed, the
push service called, an outcome recorded) the stack is taken, and its frames in app/, workers/
and geo/ kept: the union of those, in order, is the *path*. Every other project file whose
functions ran meanwhile (a profiler counts the Python frames entered) was called *on the side*:
it returned to the path (auth, validation, geometry, encryption, settings…). app/main.py's route
table and workers/tasks.py's task table are lookups: they appear only if one of their functions
runs.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import logging
import os
import re
import sys
import tempfile
import threading
import traceback
import warnings
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PACKAGES = ("app", "workers", "geo")
CENTRE = (4.3872, 45.4397)  # Saint-Étienne's town hall (tests/seed.py)

# The moments a request changes hands, as the hooks recognise them: SQL by its text, a wake-up by
# its task name (published through app/wakeups.py), the push service by aiohttp's request.
SQL_MOMENTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("alerts.insert", re.compile(r"^\s*INSERT INTO alerts\b")),
    ("deliveries.insert", re.compile(r"^\s*INSERT INTO deliveries\b")),
    ("deliveries.claim", re.compile(r"^\s*UPDATE deliveries\b.*\bSET status = 'sending'", re.DOTALL)),
    ("deliveries.outcome",
     re.compile(r"^\s*UPDATE deliveries\b.*(\bfinished_at = now\(\)|\bnot_before = now\(\) \+)", re.DOTALL)),
    ("devices.insert", re.compile(r"^\s*INSERT INTO devices\b")),
    ("places.insert", re.compile(r"^\s*INSERT INTO places\b")),
    ("follows.insert", re.compile(r"^\s*INSERT INTO follows\b")),
)
# What each moment is in the story of one request; every one must be seen.
ALERT_MOMENTS = {
    "alerts.insert": "the alert row is written",
    "wakeup.fan_out": "the fan-out wake-up is published",
    "deliveries.insert": "its deliveries are written",
    "wakeup.send": "the send batch is published",
    "deliveries.claim": "the deliveries are claimed",
    "push.request": "the push service is called",
    "deliveries.outcome": "the outcome is recorded",
}
DEVICE_MOMENTS = {
    "devices.insert": "the device row is written",
    "places.insert": "its places are written",
    "follows.insert": "its follows are written",
    "deliveries.insert": "late deliveries are written (alerts already running over its places)",
}


def project_file(filename: str) -> str | None:
    """`app/routes/alerts.py` for a file of the project's packages, else None."""
    try:
        relative = Path(filename).resolve().relative_to(ROOT)
    except ValueError:
        return None
    return relative.as_posix() if relative.parts[0] in PACKAGES else None


# --- stacks that stay continuous across tasks --------------------------------------------------

Stack = list[traceback.FrameSummary]
_task_origins: dict[int, Stack] = {}


def current_stack() -> Stack:
    """This thread's stack; inside a task of a traced loop, prefixed with the stack that created it."""
    stack = traceback.extract_stack()[:-1]
    try:
        task = asyncio.current_task()
    except RuntimeError:
        task = None
    origin = _task_origins.get(id(task), []) if task is not None else []
    # a task runs under the loop that its creator's thread is running: drop the frames they share
    shared = 0
    for mine, theirs in zip(stack, origin):
        if mine != theirs:
            break
        shared += 1
    return origin + stack[shared:]


def _traced_task(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any],
                 **kwargs: Any) -> asyncio.Task[Any]:
    origin = current_stack()
    task: asyncio.Task[Any] = asyncio.Task(coro, loop=loop, **kwargs)
    _task_origins[id(task)] = origin
    task.add_done_callback(lambda t: _task_origins.pop(id(t), None))
    return task


class InlineExecutor(concurrent.futures.ThreadPoolExecutor):
    """asyncio.to_thread, run in the calling thread: the stack stays whole."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting coroutine
            future.set_exception(exc)
        return future


def trace_loop(loop: asyncio.AbstractEventLoop) -> None:
    loop.set_task_factory(_traced_task)  # type: ignore[arg-type]
    loop.set_default_executor(InlineExecutor(max_workers=1))


# --- what is recorded --------------------------------------------------------------------------

@dataclass
class Moment:
    key: str
    frames: list[tuple[str, str]]  # (project file, function), outermost first

    @property
    def files(self) -> list[str]:
        return list(dict.fromkeys(f for f, _ in self.frames))

    def chain(self) -> str:
        parts: list[str] = []
        last = ""
        for path, function in self.frames:
            parts.append(function if path == last else f"{path} {function}")
            last = path
        return " → ".join(parts)


@dataclass
class Recorder:
    moments: list[Moment] = field(default_factory=list)
    calls: Counter[tuple[str, str]] = field(default_factory=Counter)  # (project file, function) → frames entered
    recording: bool = False

    def moment(self, key: str) -> None:
        if not self.recording:
            return
        frames = [(path, frame.name) for frame in current_stack() if (path := project_file(frame.filename))]
        self.moments.append(Moment(key, frames))

    def profile(self, frame: FrameType, event: str, _: Any) -> None:
        if event == "call" and self.recording and frame.f_code.co_name != "<module>":
            path = _file_of(frame.f_code.co_filename)
            if path is not None:
                self.calls[path, frame.f_code.co_name] += 1


_files: dict[str, str | None] = {}


def _file_of(filename: str) -> str | None:
    if filename not in _files:
        _files[filename] = project_file(filename)
    return _files[filename]


@dataclass(frozen=True)
class RequestPath:
    """One request's path: the files on its stacks at the moments it changed hands (`labels`:
    which moments count, and what they are), and the other project files it called."""

    labels: dict[str, str]
    recorded: list[Moment]
    calls: dict[tuple[str, str], int]

    def __post_init__(self) -> None:
        seen = {m.key for m in self.recorded}
        if missing := [what for key, what in self.labels.items() if key not in seen]:
            raise RuntimeError(f"the trace never saw: {'; '.join(missing)}")

    @property
    def moments(self) -> list[Moment]:
        return [m for m in self.recorded if m.key in self.labels]

    @property
    def files(self) -> list[str]:
        return list(dict.fromkeys(f for m in self.moments for f in m.files))

    @property
    def side(self) -> dict[str, int]:
        on_path = set(self.files)
        side: Counter[str] = Counter()
        for (path, _), n in self.calls.items():
            if path not in on_path:
                side[path] += n
        return dict(side)

    def side_functions(self, path: str) -> list[str]:
        """The functions of a side file that ran, most frames first."""
        ran = sorted(((n, f) for (p, f), n in self.calls.items() if p == path), key=lambda x: (-x[0], x[1]))
        return [f for _, f in ran]

    def as_json(self) -> dict[str, Any]:
        return {"path": self.files,
                "side": {f: {"frames": n, "functions": self.side_functions(f)} for f, n in self.side.items()},
                "moments": [{"what": self.labels[m.key], "files": m.files, "chain": m.chain()}
                            for m in self.moments]}


@dataclass(frozen=True)
class Trace:
    alert: RequestPath
    device: RequestPath


# --- hooks -------------------------------------------------------------------------------------

@contextmanager
def hooks(recorder: Recorder) -> Iterator[None]:
    """psycopg's execute, aiohttp's request, and a profiler on every thread."""
    import aiohttp
    import psycopg

    execute, executemany = psycopg.Cursor.execute, psycopg.Cursor.executemany
    request = aiohttp.ClientSession._request

    def sql_text(query: Any, cursor: Any) -> str:
        if isinstance(query, bytes):
            return query.decode()
        if isinstance(query, str):
            return query
        return str(query.as_string(cursor))

    def note_sql(query: Any, cursor: Any) -> None:
        text = sql_text(query, cursor)
        for key, pattern in SQL_MOMENTS:
            if pattern.search(text):
                recorder.moment(key)

    def traced_execute(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        note_sql(query, self)
        return execute(self, query, *args, **kwargs)

    def traced_executemany(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        note_sql(query, self)
        return executemany(self, query, *args, **kwargs)

    def traced_request(self: Any, *args: Any, **kwargs: Any) -> Any:
        recorder.moment("push.request")
        return request(self, *args, **kwargs)

    psycopg.Cursor.execute = traced_execute  # type: ignore[method-assign]
    psycopg.Cursor.executemany = traced_executemany  # type: ignore[method-assign]
    aiohttp.ClientSession._request = traced_request  # type: ignore[method-assign]
    threading.setprofile(recorder.profile)
    sys.setprofile(recorder.profile)
    try:
        yield
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
        psycopg.Cursor.execute = execute  # type: ignore[method-assign]
        psycopg.Cursor.executemany = executemany  # type: ignore[method-assign]
        aiohttp.ClientSession._request = request  # type: ignore[method-assign]


@contextmanager
def recording(recorder: Recorder) -> Iterator[Recorder]:
    recorder.moments, recorder.calls, recorder.recording = [], Counter(), True
    try:
        yield recorder
    finally:
        recorder.recording = False


class Broker:
    """Stands in for Redis under app.wakeups.WakeUps: keeps each wake-up (task name, arguments)."""

    def __init__(self, recorder: Recorder) -> None:
        self._recorder = recorder
        self.messages: list[tuple[str, list[Any]]] = []

    def send_task(self, name: str, args: list[Any] | tuple[Any, ...] = (), **options: Any) -> None:
        from workers.queues import FAN_OUT, SEND_TASKS

        if name == FAN_OUT:
            self._recorder.moment("wakeup.fan_out")
        elif name in SEND_TASKS.values():
            self._recorder.moment("wakeup.send")
        self.messages.append((name, list(args)))


def inline_blocking() -> None:
    """The routes' `blocking` (a thread pool) runs the service in the route's own stack."""
    import app.routes
    import app.routes.common

    async def blocking(func: Callable[..., Any], *args: Any) -> Any:
        return func(*args)

    original = app.routes.common.blocking
    for name, module in list(sys.modules.items()):
        if name.startswith("app.routes.") and getattr(module, "blocking", None) is original:
            module.blocking = blocking  # type: ignore[attr-defined]


# --- the run -----------------------------------------------------------------------------------

def trace(database_url: str, token: str, slug: str = "saint-etienne") -> Trace:
    """Register one Web Push device at the town hall, send one alert around it, and follow it
    until the push service has it and its outcome is written. `database_url`: a migrated
    database where `token` is a publisher's API token at the station `slug`."""
    with warnings.catch_warnings():  # starlette's TestClient prefers httpx2 now; httpx still works
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from tests.fakes.webpush_service import FakePushService

    with tempfile.TemporaryDirectory(prefix="tocsin-trace-") as tmp:
        os.environ.update({
            "TOCSIN_DATABASE_URL": database_url,
            "TOCSIN_REDIS_URL": "redis://127.0.0.1:1/0",  # never used: the Broker stands in for it
            "TOCSIN_PUSH_ALLOW_LOOPBACK": "1",
            "TOCSIN_VAPID_KEY_FILE": str(Path(tmp) / "vapid_private.pem"),
        })
        from app.main import create_app
        from app.settings import Settings
        from app.wakeups import WakeUps
        from workers import runtime as worker_runtime
        from workers import tasks  # noqa: F401  (the task table: registers the tasks on the app)
        from workers.celery_app import celery

        recorder = Recorder()
        broker = Broker(recorder)
        settings = Settings.from_env()
        inline_blocking()
        with FakePushService() as push, hooks(recorder), TestClient(create_app(settings)) as client:
            client.app.state.wakeups = WakeUps(broker, settings.send_batch_size)  # type: ignore[attr-defined]
            rt = worker_runtime.runtime()
            rt.wakeups = WakeUps(broker, rt.settings.send_batch_size)
            trace_loop(rt.loop)

            subscription = push.new_subscription()
            with recording(recorder):
                response = client.post("/api/v1/devices", json={
                    "platform": "webpush", "subscription": subscription.as_json(), "locale": "fr",
                    "places": [{"kind": "home", "lon": CENTRE[0], "lat": CENTRE[1]}], "follow": [slug]})
                assert response.status_code == 201, response.text
                device = RequestPath(DEVICE_MOMENTS, list(recorder.moments), dict(recorder.calls))

            with recording(recorder):
                response = client.post(f"/api/v1/stations/{slug}/alerts", headers={
                    "Authorization": f"Bearer {token}"}, json={
                    "title": "Crue du Furan", "body": "Montez dans les étages.", "severity": "Moderate",
                    "category": "Met", "expires_in": 3600,
                    "zone": {"type": "Circle", "center": list(CENTRE), "radius_m": 500}})
                assert response.status_code == 202, response.text
                while broker.messages:  # what a worker would take from Redis, in order
                    name, args = broker.messages.pop(0)
                    celery.tasks[name].apply(args=args, throw=True)
                alert = RequestPath(ALERT_MOMENTS, list(recorder.moments), dict(recorder.calls))

            received = push.received
            assert len(received) == 1 and received[0].endpoint == subscription.endpoint, received
            state = client.get(f"/api/v1/alerts/{response.json()['id']}",
                               headers={"Authorization": f"Bearer {token}"}).json()
            assert state["deliveries"]["by_status"] == {"sent": 1}, state
            rt.loop.run_until_complete(rt.provider("webpush").close())
            rt.pool.close()
    return Trace(alert, device)


def scratch_database() -> tuple[str, str, Callable[[], None]]:
    """A fresh database with Saint-Étienne and a publisher: (url, the publisher's token, drop)."""
    from tests.infra import create_database, drop_database, town_with_publisher

    name = f"tocsin_trace_{os.getpid()}"
    url = create_database(name)
    token = town_with_publisher(url)
    return url, token, lambda: drop_database(name)


# --- the report --------------------------------------------------------------------------------

def report(title: str, path: RequestPath) -> list[str]:
    lines = [f"{title}: {len(path.files)} project files on the path", ""]
    lines += [f"  {i}. {f}" for i, f in enumerate(path.files, 1)]
    lines += ["", "  at each moment it changes hands:"]
    for m in path.moments:
        lines.append(f"    - {path.labels[m.key]}: {m.chain()}")
    side = path.side
    lines += ["", (f"  called on the side (returned to the path): {len(side)} files, "
                   f"{sum(side.values())} Python frames entered")]
    for f, n in sorted(side.items()):
        functions = path.side_functions(f)
        more = f", +{len(functions) - 3}" if len(functions) > 3 else ""
        lines.append(f"    {f:<40} {n:>5}  {', '.join(functions[:3])}{more}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    # before workers.celery_app's basicConfig(INFO): the report, not the workers' logs
    logging.basicConfig(level=logging.WARNING)
    url, token, drop = scratch_database()
    try:
        result = trace(url, token)
    finally:
        drop()
    if args.json:
        print(json.dumps({"alert": result.alert.as_json(), "device": result.device.as_json()}, indent=2))
    else:
        print("\n".join([
            *report("POST /api/v1/stations/{slug}/alerts → the push service", result.alert), "",
            *report("POST /api/v1/devices → the device's rows", result.device),
        ]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
