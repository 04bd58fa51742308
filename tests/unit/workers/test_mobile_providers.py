"""The APNs and FCM adapters against the fake services: what goes on the wire, what each answer means."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.settings import Settings
from tests.fakes.apns_service import FakeAPNsService, generate_signing_key
from tests.fakes.fcm_service import FakeFCMService
from workers.providers import apns as apns_module
from workers.providers.apns import APNsProvider
from workers.providers.apns import classify as classify_apns
from workers.providers.base import Message, Notice, Outcome, Verdict
from workers.providers.fcm import FCMProvider
from workers.providers.fcm import classify as classify_fcm
from workers.sending import push_batch

KEY_ID, TEAM_ID, TOPIC = "KEY4TOCSIN", "TEAM4TOCSN", "fr.tocsin.app"
KEY_PEM, PUBLIC_KEY = generate_signing_key()


def notice(severity: str = "Severe", body: str = "Montez dans les étages.") -> Notice:
    now = datetime.now(UTC).replace(microsecond=0)
    return Notice(uuid.uuid4(), "Saint-Étienne", "Crue du Furan", body, severity, "Met",
                  now, now + timedelta(hours=1), "https://tocsin.example/alerts/x")


_delivery_ids = itertools.count(1)


def messages(tokens: list[str], n: Notice) -> list[Message]:
    return [Message(next(_delivery_ids), uuid.uuid4(), t, n, ttl_s=3600) for t in tokens]


@pytest.fixture
def run() -> Iterator[Callable[[Any, list[Message]], list[Outcome]]]:
    """Send a batch through a provider, on one event loop per test as in a worker process."""
    loop = asyncio.new_event_loop()
    used: list[Any] = []

    def send(provider: Any, batch: list[Message]) -> list[Outcome]:
        used.append(provider)
        outcomes: list[Outcome] = []

        async def report(outcome: Outcome) -> None:
            outcomes.append(outcome)

        loop.run_until_complete(push_batch(provider, batch, report))
        return sorted(outcomes, key=lambda o: o.delivery_id)

    yield send
    for provider in used:
        loop.run_until_complete(provider.close())
    loop.close()


# ------------------------------------------------------------------------------------ APNs


@pytest.fixture(scope="module")
def apns_fake() -> Iterator[FakeAPNsService]:
    with FakeAPNsService(PUBLIC_KEY, KEY_ID, TEAM_ID, TOPIC) as fake:
        yield fake


@pytest.fixture
def apns(apns_fake: FakeAPNsService, tmp_path: Path) -> tuple[FakeAPNsService, Settings]:
    apns_fake.reset()
    key = tmp_path / "AuthKey.p8"
    key.write_text(KEY_PEM)
    settings = Settings(apns_key_file=key, apns_key_id=KEY_ID, apns_team_id=TEAM_ID,
                        apns_topics=(TOPIC,), apns_host=f"localhost:{apns_fake.port}",
                        apns_ca_file=Path(apns_fake.ca_file), push_timeout_s=5)
    return apns_fake, settings


def test_apns_request_carries_the_headers_and_payload_apple_expects(apns, run) -> None:
    fake, settings = apns
    urgent, routine = notice("Extreme"), notice("Minor")
    tokens = fake.tokens(2)
    outcomes = run(APNsProvider(settings), messages(tokens[:1], urgent) + messages(tokens[1:], routine))
    assert [o.verdict for o in outcomes] == [Verdict.SENT, Verdict.SENT]
    by_token = {r.token: r for r in fake.received}
    first, second = by_token[tokens[0]], by_token[tokens[1]]
    assert (first.topic, first.push_type, first.priority) == (TOPIC, "alert", 10)
    assert second.priority == 5  # a routine post waits for a moment that suits the battery
    assert first.collapse_id == str(urgent.alert_id)
    assert first.expiration is not None and abs(first.expiration - (time.time() + 3600)) < 5
    aps = first.payload["aps"]
    assert aps["alert"] == {"title": "Crue du Furan", "subtitle": "Saint-Étienne", "body": "Montez dans les étages."}
    assert aps["interruption-level"] == "time-sensitive"
    assert second.payload["aps"]["interruption-level"] == "active"
    assert first.payload["alert_id"] == str(urgent.alert_id) and first.payload["url"].startswith("https://")


def test_apns_payload_too_long_is_shortened_under_4_kb(apns, run) -> None:
    fake, settings = apns
    [token] = fake.tokens(1)
    long = notice(body="é" * 3000)  # 6,000 bytes of body
    [outcome] = run(APNsProvider(settings), messages([token], long))
    assert outcome.verdict is Verdict.SENT
    [got] = fake.received
    assert got.size <= 4096 and got.payload["aps"]["alert"]["body"].endswith("…")


def test_apns_expired_provider_token_is_renewed_and_the_push_retried(apns, monkeypatch, run) -> None:
    fake, settings = apns
    [token] = fake.tokens(1)
    real_time = time.time
    monkeypatch.setattr(apns_module.time, "time", lambda: real_time() - 2 * 3600)
    provider = APNsProvider(settings)  # its first JWT says it was issued two hours ago
    monkeypatch.setattr(apns_module.time, "time", real_time)
    provider._token._issued_at = real_time() - 60  # not yet due for the half-hourly renewal
    [outcome] = run(provider, messages([token], notice()))
    assert outcome.verdict is Verdict.SENT
    assert [r.reason for r in fake.rejected] == ["ExpiredProviderToken"]
    assert len(fake.received) == 1


def test_apns_unreachable_is_retried(apns, tmp_path: Path, run) -> None:
    _, settings = apns
    closed = Settings(**{**settings.__dict__, "apns_host": "localhost:9"})
    [outcome] = run(APNsProvider(closed), messages(["ab" * 32], notice()))
    assert outcome.verdict is Verdict.RETRY and "could not reach APNs" in outcome.detail


def test_apns_bad_key_file_is_named(tmp_path: Path) -> None:
    key = tmp_path / "AuthKey.p8"
    key.write_text("not a key")
    settings = Settings(apns_key_file=key, apns_key_id=KEY_ID, apns_team_id=TEAM_ID, apns_topics=(TOPIC,))
    with pytest.raises(RuntimeError, match="AuthKey.p8 is not an APNs signing key"):
        APNsProvider(settings)


@pytest.mark.parametrize(("status", "reason", "verdict"), [
    (200, None, Verdict.SENT),
    (410, "Unregistered", Verdict.GONE),
    (400, "BadDeviceToken", Verdict.GONE),
    (400, "DeviceTokenNotForTopic", Verdict.GONE),
    (429, "TooManyRequests", Verdict.RETRY),
    (500, "InternalServerError", Verdict.RETRY),
    (503, "ServiceUnavailable", Verdict.RETRY),
    (403, "ExpiredProviderToken", Verdict.RETRY),
    (403, "InvalidProviderToken", Verdict.RETRY),
    (413, "PayloadTooLarge", Verdict.FAILED),
    (400, "BadCollapseId", Verdict.FAILED),
    (400, "TopicDisallowed", Verdict.FAILED),
    (418, None, Verdict.FAILED),
])
def test_apns_answers_are_classified(status, reason, verdict) -> None:
    got, detail = classify_apns(status, reason)
    assert got is verdict and (detail == "") == (verdict is Verdict.SENT)


# ------------------------------------------------------------------------------------ FCM


@pytest.fixture(scope="module")
def fcm_fake() -> Iterator[FakeFCMService]:
    with FakeFCMService() as fake:
        yield fake


@pytest.fixture
def fcm(fcm_fake: FakeFCMService, tmp_path: Path) -> tuple[FakeFCMService, Settings]:
    fcm_fake.reset()
    account = fcm_fake.write_service_account(tmp_path / "service-account.json")
    settings = Settings(fcm_service_account_file=account, fcm_url=fcm_fake.base_url,
                        fcm_ca_file=fcm_fake.ca_file, push_timeout_s=5)
    return fcm_fake, settings


def test_fcm_message_shape_and_one_access_token_for_many_batches(fcm, run) -> None:
    fake, settings = fcm
    tokens = fake.tokens(3)
    severe = notice("Severe")
    provider = FCMProvider(settings)
    issued = fake.tokens_issued
    outcomes = run(provider, messages(tokens[:2], severe)) + run(provider, messages(tokens[2:], notice("Moderate")))
    assert [o.verdict for o in outcomes] == [Verdict.SENT] * 3
    assert fake.tokens_issued - issued == 1  # cached across batches
    by_token = {r.token: r for r in fake.received}
    first = by_token[tokens[0]]
    assert first.http_version == "1.1"
    message = first.message
    assert message["notification"] == {"title": "Crue du Furan", "body": "Montez dans les étages."}
    android = message["android"]
    assert android["priority"] == "HIGH" and android["collapse_key"] == str(severe.alert_id)
    assert android["notification"]["tag"] == str(severe.alert_id)
    assert 3590 <= int(android["ttl"].rstrip("s")) <= 3600
    assert message["data"]["alert_id"] == str(severe.alert_id)
    assert by_token[tokens[2]].message["android"]["priority"] == "NORMAL"


def test_fcm_refused_access_token_is_renewed_and_the_push_retried(fcm, run) -> None:
    fake, settings = fcm
    tokens = fake.tokens(2)
    provider = FCMProvider(settings)
    issued = fake.tokens_issued
    run(provider, messages(tokens[:1], notice()))
    fake.expire_tokens()  # Google revoked it before its expiry
    [outcome] = run(provider, messages(tokens[1:], notice()))
    assert outcome.verdict is Verdict.SENT
    assert fake.tokens_issued - issued == 2


def test_fcm_token_endpoint_down_means_retry(fcm, tmp_path: Path, run) -> None:
    fake, settings = fcm
    account = tmp_path / "sa.json"
    account.write_text(Path(settings.fcm_service_account_file).read_text().replace(fake.base_url, "https://127.0.0.1:9"))
    provider = FCMProvider(Settings(**{**settings.__dict__, "fcm_service_account_file": account}))
    [outcome] = run(provider, messages(fake.tokens(1), notice()))
    assert outcome.verdict is Verdict.RETRY and "access token" in outcome.detail


def _google_error(status: int, code: str = "", field: str = "", message: str = "") -> bytes:
    import json

    from tests.fakes.fcm_service import fcm_error_body

    return json.dumps(fcm_error_body(status, message or None, error_code=code, field=field or None)).encode()


@pytest.mark.parametrize(("status", "code", "field", "verdict"), [
    (200, "", "", Verdict.SENT),
    (404, "UNREGISTERED", "", Verdict.GONE),
    (400, "INVALID_ARGUMENT", "message.token", Verdict.GONE),
    (400, "INVALID_ARGUMENT", "message.android.ttl", Verdict.FAILED),
    (403, "SENDER_ID_MISMATCH", "", Verdict.GONE),
    (429, "QUOTA_EXCEEDED", "", Verdict.RETRY),
    (503, "UNAVAILABLE", "", Verdict.RETRY),
    (500, "INTERNAL", "", Verdict.RETRY),
    (401, "", "", Verdict.RETRY),
    (403, "", "", Verdict.RETRY),
])
def test_fcm_answers_are_classified(status, code, field, verdict) -> None:
    body = b'{"name": "projects/p/messages/1"}' if status == 200 else _google_error(status, code, field)
    got, detail, _ = classify_fcm(status, body, "12" if status == 429 else None)
    assert got is verdict and (detail == "") == (verdict is Verdict.SENT)
    if status == 429:
        assert classify_fcm(status, body, "12")[2] == 12.0
