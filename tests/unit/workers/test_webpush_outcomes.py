"""Every push-service answer maps to one verdict; retries back off and respect Retry-After."""

from __future__ import annotations

import email.utils
import time

import pytest
from py_vapid import Vapid02

from app.settings import Settings
from workers.providers.base import Verdict, parse_retry_after
from workers.providers.webpush import VapidHeaders, classify
from workers.sending import retry_delay


@pytest.mark.parametrize(("status", "retry_after", "verdict", "wait"), [
    (201, None, Verdict.SENT, None),
    (200, None, Verdict.SENT, None),
    (202, None, Verdict.SENT, None),
    (404, None, Verdict.GONE, None),
    (410, None, Verdict.GONE, None),
    (429, "7", Verdict.RETRY, 7.0),
    (429, None, Verdict.RETRY, None),
    (500, None, Verdict.RETRY, None),
    (502, None, Verdict.RETRY, None),
    (503, "30", Verdict.RETRY, 30.0),
    (504, None, Verdict.RETRY, None),
    (400, None, Verdict.FAILED, None),
    (401, None, Verdict.FAILED, None),
    (403, None, Verdict.FAILED, None),
    (413, None, Verdict.FAILED, None),
    (415, None, Verdict.FAILED, None),
])
def test_status_codes_are_classified(status, retry_after, verdict, wait) -> None:
    got, detail, got_wait = classify(status, retry_after)
    assert got is verdict
    assert got_wait == wait
    assert (detail == "") == (verdict is Verdict.SENT)


def test_retry_after_as_http_date() -> None:
    in_a_minute = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert 55 <= parse_retry_after(in_a_minute) <= 61
    assert parse_retry_after("soon") is None


def test_backoff_grows_is_jittered_capped_and_respects_retry_after() -> None:
    settings = Settings(retry_base_s=2, retry_max_s=60)
    first = [retry_delay(settings, 1, None) for _ in range(200)]
    fourth = [retry_delay(settings, 4, None) for _ in range(200)]
    assert 1 <= min(first) and max(first) <= 2 and len(set(first)) > 100
    assert 8 <= min(fourth) and max(fourth) <= 16
    assert max(retry_delay(settings, 30, None) for _ in range(50)) <= 60
    assert retry_delay(settings, 1, 45) >= 45
    assert retry_delay(settings, 1, 10_000) == 60


def test_vapid_header_is_signed_once_per_origin_and_renewed_before_expiry(monkeypatch) -> None:
    vapid = Vapid02()
    vapid.generate_keys()
    headers = VapidHeaders(vapid, "mailto:ops@example.org")
    a = headers.for_endpoint("https://fcm.googleapis.com/fcm/send/abc")
    assert headers.for_endpoint("https://fcm.googleapis.com/fcm/send/def") == a
    b = headers.for_endpoint("https://updates.push.services.mozilla.com/wpush/v2/xyz")
    assert b != a
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 11.5 * 3600)
    assert headers.for_endpoint("https://fcm.googleapis.com/fcm/send/abc") != a
