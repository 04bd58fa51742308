"""Fan-out benchmark: N devices of one channel in one zone, the real path from POST to the last
push accepted.

Starts its own database, uvicorn, the production worker layout (one worker for fan-out and Web
Push, one per mobile channel) and beat, and the channel's fake push service:

* webpush: a separate sink process that accepts every message without decrypting, so that it
  takes as little CPU as possible from the workers being measured; then, on the same
  subscriptions, a plain sequential loop of pywebpush.webpush() for comparison;
* apns: tests/fakes/apns_service.py in this process (HTTP/2 over TLS, JWT checked);
* fcm: tests/fakes/fcm_service.py in sink mode in this process (hypercorn, HTTP/2 over TLS).

    .venv/bin/python bench/fanout.py --devices 100000
    .venv/bin/python bench/fanout.py --channel apns --devices 50000
    .venv/bin/python bench/fanout.py --devices 100000 --cancel --plain-sample 0

--cancel (Web Push): once the alert is delivered, cancel it as the console's button does, and
measure from that click to the last cancel accepted (p50 / p95 / last over the devices), checking
every device got it under the original alert's Topic.
"""

from __future__ import annotations

import argparse
import base64
import math
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg
import redis
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.db.devices import PushAddress
from tests import infra
from tests.fakes.apns_service import FakeAPNsService, generate_signing_key
from tests.fakes.fcm_service import FakeFCMService
from tests.seed import CENTRE, offset, seed_followers, webpush_address

KEY_POOL = 500  # distinct subscription key pairs, shared round-robin (encryption cost is per message)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def subscriptions(base_url: str, n: int) -> list[dict]:
    keys = []
    for _ in range(KEY_POOL):
        public = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        keys.append({"p256dh": b64(public), "auth": b64(os.urandom(16))})
    return [{"endpoint": f"{base_url}/push/bench-{i}", "keys": keys[i % KEY_POOL]} for i in range(n)]


def start_sink(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    log = tmp / "sink.log"
    with open(log, "wb") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen([sys.executable, "-m", "tests.fakes.sink", "--port", "0"],
                                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = re.search(r"listening on (\S+)", log.read_text())
        if found:
            return proc, found.group(1)
        time.sleep(0.1)
    raise RuntimeError("the sink push service did not start: " + log.read_text())


def cpu_seconds_by_group() -> dict[str, float]:
    """CPU time (user + system) so far of every process, summed by what it is."""
    tick = os.sysconf("SC_CLK_TCK")
    totals: dict[str, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        seconds = (int(fields[11]) + int(fields[12])) / tick
        if "tests.fakes.sink" in cmdline:
            group = "push service (sink)"
        elif "bench/fanout.py" in cmdline:
            group = "fake APNs/FCM (this process)"
        elif "celery" in cmdline and " worker" in cmdline:
            parent = int(fields[1])
            parent_cmd = Path(f"/proc/{parent}/cmdline").read_bytes() if Path(f"/proc/{parent}").exists() else b""
            group = "celery worker processes" if b"celery" in parent_cmd else "celery worker (main)"
        elif "celery" in cmdline:
            group = "celery beat"
        elif "uvicorn" in cmdline:
            group = "uvicorn"
        elif "postgres" in cmdline:
            group = "postgres"
        elif "redis" in cmdline:
            group = "redis"
        else:
            continue
        totals[group] = totals.get(group, 0.0) + seconds
    return totals


def plain_loop(subs: list[dict], vapid_pem: Path, payload: str) -> float:
    from pywebpush import webpush

    started = time.perf_counter()
    for sub in subs:
        # a fresh claims dict each time: pywebpush writes aud/exp into the one it is given
        webpush(sub, payload, vapid_private_key=str(vapid_pem),
                vapid_claims={"sub": "mailto:bench@tocsin.invalid"}, ttl=3600)
    return len(subs) / (time.perf_counter() - started)


def wait_done(url: str, alert_id: str) -> str:
    while True:
        with psycopg.connect(url) as conn:
            state, = conn.execute("SELECT state FROM alerts WHERE id = %s", (alert_id,)).fetchone()
        if state not in ("pending", "sending"):
            return state
        time.sleep(0.5)


def measure_cancel(api_url: str, sink_url: str, url: str, token: str, alert_id: str) -> dict[str, object]:
    """The operator presses "cancel": from that click to the cancel accepted on every device."""
    httpx.post(f"{sink_url}/_reset")
    click = time.time()
    response = httpx.post(f"{api_url}/api/v1/alerts/{alert_id}/cancel", json={"reason": "error"}, timeout=30,
                          headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"bench-{alert_id}"})
    assert response.status_code == 202, response.text
    cancel_id = response.json()["id"]
    wait_done(url, cancel_id)
    stats = httpx.get(f"{sink_url}/_stats").json()
    with psycopg.connect(url) as conn:
        sent, = conn.execute("SELECT count(*) FROM deliveries WHERE alert_id = %s AND status = 'sent'",
                             (cancel_id,)).fetchone()
    topic = alert_id.replace("-", "")
    return {"first": stats["first_at"] - click, "p50": stats["p50_at"] - click, "p95": stats["p95_at"] - click,
            "last": stats["last_at"] - click, "received": stats["received"], "sent": sent,
            "same_topic": stats["topics"] == {topic: stats["received"]}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--channel", choices=("webpush", "apns", "fcm"), default="webpush",
                        help="the devices' push channel (default webpush)")
    parser.add_argument("--devices", type=int, default=100_000, help="devices in the zone (default 100000)")
    parser.add_argument("--plain-sample", type=int, default=2000,
                        help="messages sent by the plain pywebpush loop for comparison (default 2000)")
    parser.add_argument("--radius", type=float, default=5000, help="zone radius in metres (default 5000)")
    parser.add_argument("--cancel", action="store_true",
                        help="then cancel the alert and measure click → last cancel accepted (webpush only)")
    args = parser.parse_args()
    if args.cancel and args.channel != "webpush":
        parser.error("--cancel is measured on the Web Push channel")

    tmp = Path(tempfile.mkdtemp(prefix="tocsin-bench-"))
    name = f"tocsin_bench_{os.getpid()}"
    url = infra.create_database(name)
    redis_url = f"{infra.REDIS_BASE}/11"
    redis.Redis.from_url(redis_url).flushdb()
    stack = infra.Stack(tmp=tmp, database_url=url, redis_url=redis_url)
    stack.env["TOCSIN_REQUEUE_AFTER_S"] = "600"  # the backlog is expected here, not a lost message
    stack.env["TOCSIN_CLAIM_TIMEOUT_S"] = "600"
    token = infra.town_with_publisher(url, "bench@tocsin.invalid")
    with psycopg.connect(url) as conn:
        # a zone must stay in its commune, and Saint-Étienne is narrower than a 5 km circle around
        # its town hall: here the town stands for a metropolis, its territory grown by 6 km
        conn.execute("UPDATE stations SET territory = ST_Multi(ST_Buffer(territory::geography, 6000)::geometry)"
                     " WHERE slug = 'saint-etienne'")

    sink, sink_url = start_sink(tmp)
    key_pem, public_key = generate_signing_key()
    apns = FakeAPNsService(public_key, "BENCHKEY01", "BENCHTEAM1", "fr.tocsin.bench").start()
    fcm = FakeFCMService(mode="sink").start()
    stack.env.update(infra.mobile_env(tmp, apns, key_pem, fcm))
    procs: list[infra.Process] = []
    try:
        print(f"seeding {args.devices} {args.channel} devices inside a {args.radius:.0f} m circle…", flush=True)
        rng = random.Random(1)
        subs = subscriptions(sink_url, args.devices) if args.channel == "webpush" else []
        addresses = {
            "webpush": lambda: [webpush_address(s) for s in subs],
            "apns": lambda: [PushAddress("apns", t) for t in apns.tokens(args.devices)],
            "fcm": lambda: [PushAddress("fcm", f"bench{i:07d}:APA91b" + "x" * 140) for i in range(args.devices)],
        }[args.channel]()
        homes = [offset(CENTRE, (args.radius - 150) * math.sqrt(rng.random()), rng.uniform(0, 360))
                 for _ in range(args.devices)]
        with psycopg.connect(url) as conn:
            seed_followers(conn, "saint-etienne", addresses, homes)
        api, api_url = stack.api()
        procs.append(api)
        procs.extend(stack.workers())
        procs.append(stack.beat())
        httpx.post(f"{sink_url}/_reset")
        apns.reset()
        fcm.reset()

        zone = {"type": "Circle", "center": list(CENTRE), "radius_m": args.radius}
        cpu_before = cpu_seconds_by_group()
        t0 = time.time()
        response = httpx.post(
            f"{api_url}/api/v1/stations/saint-etienne/alerts", timeout=30,
            json={"title": "Exercice de benchmark", "body": "Ceci est un message de test de débit.",
                  "severity": "Severe", "category": "Safety", "zone": zone, "expires_in": 3600},
            headers={"Authorization": f"Bearer {token}"})
        post_s = time.time() - t0
        assert response.status_code == 202, response.text
        alert_id = response.json()["id"]
        state = wait_done(url, alert_id)
        cpu_after = cpu_seconds_by_group()
        if args.channel == "webpush":
            stats = httpx.get(f"{sink_url}/_stats").json()
        else:  # the fakes stamp time.monotonic(); convert to wall-clock time
            received = (apns if args.channel == "apns" else fcm).received
            offset_s = time.time() - time.monotonic()
            stats = {"received": len(received), "first_at": min(r.at for r in received) + offset_s,
                     "last_at": max(r.at for r in received) + offset_s}
        with psycopg.connect(url) as conn:
            ledger_s, total, sent = conn.execute(
                "SELECT extract(epoch FROM a.fanned_out_at - a.created_at), count(d.*),"
                " count(*) FILTER (WHERE d.status = 'sent')"
                " FROM alerts a JOIN deliveries d ON d.alert_id = a.id WHERE a.id = %s"
                " GROUP BY a.fanned_out_at, a.created_at", (alert_id,)).fetchone()
        push_s = stats["last_at"] - stats["first_at"]
        rate = stats["received"] / push_s if push_s > 0 else float("nan")
        post_to_last = stats["last_at"] - t0
        cancel = measure_cancel(api_url, sink_url, url, token, alert_id) if args.cancel else None
        for proc in procs:
            proc.stop()
        procs.clear()

        sample = subs[: args.plain_sample]
        plain = plain_loop(sample, Path(stack.env["TOCSIN_VAPID_KEY_FILE"]), '{"title":"x","body":"y"}') if sample else 0

        print()
        print(f"machine: {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()}")
        print(f"channel                    {args.channel:>10}")
        print(f"devices in zone            {args.devices:>10}")
        print(f"ledger rows / sent         {total:>10} / {sent}  (state {state})")
        print(f"POST answered in           {post_s * 1000:>10.0f} ms")
        print(f"ledger written (commit→)   {float(ledger_s):>10.2f} s")
        print(f"push phase                 {push_s:>10.2f} s  ({stats['received']} accepted)")
        workers = {"webpush": "2 processes", "apns": "1 process", "fcm": "1 process"}[args.channel]
        print(f"pushes per second          {rate:>10.0f}  (worker path, {workers})")
        print(f"POST → last push accepted  {post_to_last:>10.2f} s")
        if cancel:
            print(f"cancel: click → first push  {cancel['first']:>9.2f} s")
            print(f"cancel: click → p50 / p95   {cancel['p50']:>9.2f} s / {cancel['p95']:.2f} s")
            print(f"cancel: click → last push   {cancel['last']:>9.2f} s  ({cancel['received']} accepted, "
                  f"{cancel['sent']} sent in the ledger, Topic of the original: {cancel['same_topic']})")
        if plain:
            print(f"plain pywebpush loop       {plain:>10.0f} /s  ({len(sample)} messages, sequential)")
            print(f"ratio                      {rate / plain:>10.1f} ×")
        print("CPU seconds used from POST to completion (2 cores = 2 s per second):")
        for group, after in sorted(cpu_after.items(), key=lambda kv: -(kv[1] - cpu_before.get(kv[0], 0))):
            used = after - cpu_before.get(group, 0.0)
            print(f"  {group:<24} {used:>8.1f} s  ({used / args.devices * 1e6:.0f} µs per device)")
        return 0 if sent == args.devices and (not cancel or cancel["sent"] == args.devices) else 1
    finally:
        for proc in procs:
            proc.stop()
        sink.terminate()
        sink.wait(timeout=10)
        apns.stop()
        fcm.stop()
        infra.drop_database(name)


if __name__ == "__main__":
    raise SystemExit(main())
