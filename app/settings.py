"""Settings: one frozen object built from the environment (every variable is listed in README)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from app.vocab import Channel

# The push services browsers actually use. A subscription endpoint on any other host is refused,
# so that Tocsin cannot be turned into a request forger against internal addresses.
DEFAULT_PUSH_HOSTS = (
    "fcm.googleapis.com",  # Chrome, Edge, Opera, Samsung Internet
    "updates.push.services.mozilla.com",  # Firefox
    "*.push.apple.com",  # Safari (web.push.apple.com)
    "*.notify.windows.com",  # legacy Edge (WNS)
)


class SettingsError(ValueError):
    """A setting has a value Tocsin cannot use; the message names the variable."""


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false (got {raw!r})")


def _int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number (got {raw!r})") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum} (got {value})")
    return value


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number (got {raw!r})") from None


def _path(name: str) -> Path | None:
    raw = os.environ.get(name, "").strip()
    return Path(raw) if raw else None


def _list(name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in os.environ.get(name, "").split(",") if item.strip())


_HOST_PORT = re.compile(r"^[A-Za-z0-9.-]+:\d{1,5}$")


def _cap_feeds(name: str) -> tuple[tuple[str, str], ...]:
    """"slug=https://…/feed.atom,other-slug=https://…": the CAP feeds each station imports from."""
    feeds = []
    for item in _list(name):
        slug, _, url = item.partition("=")
        slug, url = slug.strip(), url.strip()
        if not slug or not url.startswith(("https://", "http://")):
            raise SettingsError(
                f"{name} must be comma-separated station-slug=https://url/of/feed pairs (got {item!r})"
            )
        feeds.append((slug, url))
    return tuple(feeds)


@dataclass(frozen=True)
class Settings:
    database_url: str = "postgresql://postgres@127.0.0.1:5432/tocsin"
    redis_url: str = "redis://127.0.0.1:6379/0"
    public_url: str = "http://127.0.0.1:8000"
    # VAPID private key (PEM); generated on first use. Kept outside the database on purpose.
    vapid_key_file: Path = Path("var/keys/vapid_private.pem")
    vapid_subject: str = "mailto:admin@tocsin.invalid"
    push_hosts: tuple[str, ...] = DEFAULT_PUSH_HOSTS
    # Admit a push service on loopback (plain http included): tests and the demo only.
    push_allow_loopback: bool = False
    # Send path tuning
    send_batch_size: int = 1000
    push_concurrency: int = 256
    push_timeout_s: float = 10.0
    # A delivery claimed ('sending') for longer than this is presumed lost with its worker.
    claim_timeout_s: int = 120
    # A pending delivery whose send task has not run after this long is queued again.
    requeue_after_s: int = 60
    reconcile_interval_s: float = 5.0
    retry_base_s: float = 2.0
    retry_max_s: float = 300.0
    # How long a device's "alerts around me" position is kept before it is forgotten.
    position_ttl_s: int = 24 * 3600
    # A request for a second operator's approval lapses after this long (the author asks again).
    approval_validity_s: int = 15 * 60
    # APNs (iOS), token-based: the .p8 key stays in a file outside the database. Unset: no APNs.
    apns_key_file: Path | None = None
    apns_key_id: str = ""
    apns_team_id: str = ""
    # The apps' bundle ids; the first is the topic of devices that registered without one.
    apns_topics: tuple[str, ...] = ()
    apns_sandbox: bool = False
    # "host:port" instead of Apple's (a relay, or the fake in tests); its CA bundle if private.
    apns_host: str = ""
    apns_ca_file: Path | None = None
    apns_concurrency: int = 200
    # FCM HTTP v1 (Android): the service-account JSON from the Firebase console. Unset: no FCM.
    fcm_service_account_file: Path | None = None
    fcm_project: str = ""  # default: the project_id of the service account
    fcm_url: str = "https://fcm.googleapis.com"
    fcm_ca_file: Path | None = None
    fcm_concurrency: int = 100  # also the number of kept-alive connections to FCM
    # Map tiles of the operator console ({z}/{x}/{y}); the console works without them.
    tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    tile_attribution: str = "© OpenStreetMap contributors"
    # CAP feeds (Atom or RSS) polled every minute: (station slug, feed URL); their new CAP alerts
    # wait as imports for an operator of the station to accept or reject.
    cap_feeds: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_env(cls) -> Settings:
        hosts_raw = os.environ.get("TOCSIN_PUSH_HOSTS")
        hosts = (
            tuple(h.strip().lower() for h in hosts_raw.split(",") if h.strip())
            if hosts_raw
            else DEFAULT_PUSH_HOSTS
        )
        return cls(
            database_url=os.environ.get("TOCSIN_DATABASE_URL", cls.database_url),
            redis_url=os.environ.get("TOCSIN_REDIS_URL", cls.redis_url),
            public_url=os.environ.get("TOCSIN_PUBLIC_URL", cls.public_url).rstrip("/"),
            vapid_key_file=Path(os.environ.get("TOCSIN_VAPID_KEY_FILE", str(cls.vapid_key_file))),
            vapid_subject=os.environ.get("TOCSIN_VAPID_SUBJECT", cls.vapid_subject),
            push_hosts=hosts,
            push_allow_loopback=_bool("TOCSIN_PUSH_ALLOW_LOOPBACK", False),
            send_batch_size=_int("TOCSIN_SEND_BATCH_SIZE", cls.send_batch_size, 1),
            push_concurrency=_int("TOCSIN_PUSH_CONCURRENCY", cls.push_concurrency, 1),
            push_timeout_s=_float("TOCSIN_PUSH_TIMEOUT_S", cls.push_timeout_s),
            claim_timeout_s=_int("TOCSIN_CLAIM_TIMEOUT_S", cls.claim_timeout_s, 1),
            requeue_after_s=_int("TOCSIN_REQUEUE_AFTER_S", cls.requeue_after_s, 1),
            reconcile_interval_s=_float("TOCSIN_RECONCILE_INTERVAL_S", cls.reconcile_interval_s),
            retry_base_s=_float("TOCSIN_RETRY_BASE_S", cls.retry_base_s),
            retry_max_s=_float("TOCSIN_RETRY_MAX_S", cls.retry_max_s),
            position_ttl_s=_int("TOCSIN_POSITION_TTL_S", cls.position_ttl_s, 60),
            approval_validity_s=_int("TOCSIN_APPROVAL_VALIDITY_S", cls.approval_validity_s, 60),
            apns_key_file=_path("TOCSIN_APNS_KEY_FILE"),
            apns_key_id=os.environ.get("TOCSIN_APNS_KEY_ID", "").strip(),
            apns_team_id=os.environ.get("TOCSIN_APNS_TEAM_ID", "").strip(),
            apns_topics=_list("TOCSIN_APNS_TOPIC"),
            apns_sandbox=_bool("TOCSIN_APNS_SANDBOX", False),
            apns_host=os.environ.get("TOCSIN_APNS_HOST", "").strip(),
            apns_ca_file=_path("TOCSIN_APNS_CA_FILE"),
            apns_concurrency=_int("TOCSIN_APNS_CONCURRENCY", cls.apns_concurrency, 1),
            fcm_service_account_file=_path("TOCSIN_FCM_SERVICE_ACCOUNT_FILE"),
            fcm_project=os.environ.get("TOCSIN_FCM_PROJECT", "").strip(),
            fcm_url=os.environ.get("TOCSIN_FCM_URL", cls.fcm_url).strip().rstrip("/"),
            fcm_ca_file=_path("TOCSIN_FCM_CA_FILE"),
            fcm_concurrency=_int("TOCSIN_FCM_CONCURRENCY", cls.fcm_concurrency, 1),
            tile_url=os.environ.get("TOCSIN_TILE_URL", cls.tile_url).strip(),
            tile_attribution=os.environ.get("TOCSIN_TILE_ATTRIBUTION", cls.tile_attribution),
            cap_feeds=_cap_feeds("TOCSIN_CAP_FEEDS"),
        ).checked()

    def checked(self) -> Settings:
        if not self.vapid_subject.startswith(("mailto:", "https:")):
            raise SettingsError(
                "TOCSIN_VAPID_SUBJECT must be a contact push services can reach: "
                f"'mailto:you@example.org' or an https URL (got {self.vapid_subject!r})"
            )
        apns = {
            "TOCSIN_APNS_KEY_FILE": self.apns_key_file, "TOCSIN_APNS_KEY_ID": self.apns_key_id,
            "TOCSIN_APNS_TEAM_ID": self.apns_team_id, "TOCSIN_APNS_TOPIC": self.apns_topics,
        }
        missing = [name for name, value in apns.items() if not value]
        if 0 < len(missing) < len(apns):
            raise SettingsError(
                "APNs needs its four settings together; set " + ", ".join(missing)
                + " too, or unset them all to run without iOS delivery"
            )
        if self.apns_host and not _HOST_PORT.match(self.apns_host):
            raise SettingsError(
                f"TOCSIN_APNS_HOST must be host:port, such as 'localhost:2197' (got {self.apns_host!r})"
            )
        if self.tile_url and not (self.tile_url.startswith(("https://", "http://"))
                                  and all(p in self.tile_url for p in ("{z}", "{x}", "{y}"))):
            raise SettingsError(
                "TOCSIN_TILE_URL must be an http(s) URL with {z}, {x} and {y}, such as "
                f"https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png (got {self.tile_url!r})"
            )
        if not self.fcm_url.startswith(("https://", "http://")):
            raise SettingsError(f"TOCSIN_FCM_URL must be an http(s) URL (got {self.fcm_url!r})")
        return self

    @property
    def apns_configured(self) -> bool:
        return self.apns_key_file is not None

    @property
    def fcm_configured(self) -> bool:
        return self.fcm_service_account_file is not None

    def channel_report(self) -> list[str]:
        """One line per push channel for the logs at start-up: what runs, and how to turn the rest on."""
        lines = ["Web Push: on (browsers and installed web apps)"]
        if self.apns_configured:
            lines.append(f"APNs (iOS): on, {'sandbox' if self.apns_sandbox else 'production'}, "
                         f"topics {', '.join(self.apns_topics)}")
        else:
            lines.append("APNs (iOS): off — iOS apps cannot register; set TOCSIN_APNS_KEY_FILE, "
                         "TOCSIN_APNS_KEY_ID, TOCSIN_APNS_TEAM_ID and TOCSIN_APNS_TOPIC to turn it on")
        if self.fcm_configured:
            lines.append("FCM (Android): on")
        else:
            lines.append("FCM (Android): off — Android apps cannot register; set "
                         "TOCSIN_FCM_SERVICE_ACCOUNT_FILE to turn it on")
        return lines

    def configured_channels(self) -> tuple[str, ...]:
        return (Channel.WEBPUSH,) + ((Channel.APNS,) if self.apns_configured else ()) + (
            (Channel.FCM,) if self.fcm_configured else ()
        )
