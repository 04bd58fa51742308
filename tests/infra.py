"""Real components for tests: a fresh PostGIS database, uvicorn, Celery worker and beat processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

from app import cli
from app.db.migrations import apply_migrations
from app.settings import Settings
from tests.fakes.apns_service import FakeAPNsService
from tests.fakes.fcm_service import FakeFCMService
from workers.queues import ALL_QUEUES, WORKER_POOLS

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ADMIN_URL = os.environ.get("TOCSIN_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# Workers and beat run as in production: restarted whenever they exit.
SUPERVISED = ["bash", str(ROOT / "scripts" / "supervise.sh")]
REDIS_BASE = os.environ.get("TOCSIN_TEST_REDIS_URL", "redis://127.0.0.1:6379")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def create_database(name: str) -> str:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    apply_migrations(url)
    return url


def town_with_publisher(database_url: str, email: str = "mairie@test.invalid") -> str:
    """Saint-Étienne with its real boundary and a publisher; returns the publisher's API token."""
    settings = Settings(database_url=database_url)
    cli.import_commune(settings, cli.DEMO_COMMUNES, cli.DEMO_CODE, "saint-etienne")
    cli.create_operator(settings, "Mairie", email, "saint-etienne", "publisher")
    # four-eyes approval is off for the test town; the tests of approval turn it on
    cli.set_approval(settings, "saint-etienne", "none")
    return cli.create_token(settings, email, "test")


def drop_database(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def mobile_env(tmp: Path, apns: FakeAPNsService, apns_key_pem: str, fcm: FakeFCMService) -> dict[str, str]:
    """The settings an administrator would write, pointing at the fake APNs and FCM."""
    key = tmp / "AuthKey_APNS.p8"
    key.write_text(apns_key_pem)
    account = fcm.write_service_account(tmp / "firebase-service-account.json")
    return {
        "TOCSIN_APNS_KEY_FILE": str(key),
        "TOCSIN_APNS_KEY_ID": apns.key_id,
        "TOCSIN_APNS_TEAM_ID": apns.team_id,
        "TOCSIN_APNS_TOPIC": apns.topic,
        "TOCSIN_APNS_HOST": f"localhost:{apns.port}",
        "TOCSIN_APNS_CA_FILE": str(apns.ca_file),
        "TOCSIN_FCM_SERVICE_ACCOUNT_FILE": str(account),
        "TOCSIN_FCM_URL": fcm.base_url,
        "TOCSIN_FCM_CA_FILE": str(fcm.ca_file),
    }


@dataclass
class Process:
    """A child process in its own session, so it can be killed with all its children."""

    name: str
    args: list[str]
    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(
                self.args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def wait_for_log(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log_path.read_text(errors="replace"):
                return
            assert self.proc is not None
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not become ready:\n{self.log_path.read_text()[-3000:]}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Stack:
    """Environment shared by every process of one test session."""

    tmp: Path
    database_url: str
    redis_url: str
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.env = {
            **os.environ,
            "TOCSIN_DATABASE_URL": self.database_url,
            "TOCSIN_REDIS_URL": self.redis_url,
            "TOCSIN_VAPID_KEY_FILE": str(self.tmp / "vapid.pem"),
            "TOCSIN_VAPID_SUBJECT": "mailto:tests@tocsin.invalid",
            "TOCSIN_PUSH_ALLOW_LOOPBACK": "1",
            "TOCSIN_RECONCILE_INTERVAL_S": "1",
            "TOCSIN_REQUEUE_AFTER_S": "8",
            "TOCSIN_CLAIM_TIMEOUT_S": "10",
            "TOCSIN_RETRY_BASE_S": "0.5",
            "TOCSIN_RETRY_MAX_S": "5",
            "PYTHONUNBUFFERED": "1",
        }

    def api(self) -> tuple[Process, str]:
        port = free_port()
        proc = Process(
            "uvicorn",
            [str(BIN / "uvicorn"), "app.main:app_from_env", "--factory", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning"],
            # links the API builds (invitations, alert pages) point at this very process
            {**self.env, "TOCSIN_PUBLIC_URL": f"http://127.0.0.1:{port}"}, self.tmp / "uvicorn.log",
        ).start()
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/livez", timeout=1).status_code == 200:
                    return proc, url
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("uvicorn did not start:\n" + (self.tmp / "uvicorn.log").read_text()[-3000:])

    def worker(self, concurrency: int = 2, queues: tuple[str, ...] = ALL_QUEUES) -> Process:
        name = f"worker-{uuid.uuid4().hex[:8]}"
        proc = Process(
            name,
            [*SUPERVISED, str(BIN / "celery"), "-A", "workers.celery_app", "worker", "-Q", ",".join(queues),
             "--concurrency", str(concurrency), "-n", f"{name}@localhost", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "-l", "INFO"],
            self.env, self.tmp / f"{name}.log",
        ).start()
        proc.wait_for_log("ready.")
        return proc

    def workers(self) -> list[Process]:
        """As in production: one worker for fan-out, Web Push and upkeep, one per mobile channel,
        so that a slow or failing push service only holds up its own queue."""
        return [self.worker(2, queues) if name == "core" else self.worker(1, queues)
                for name, queues in WORKER_POOLS.items()]

    def beat(self) -> Process:
        proc = Process(
            "beat",
            [*SUPERVISED, str(BIN / "celery"), "-A", "workers.celery_app", "beat", "-l", "INFO",
             "-s", str(self.tmp / "beat-schedule")],
            self.env, self.tmp / "beat.log",
        ).start()
        proc.wait_for_log("beat: Starting")
        return proc
