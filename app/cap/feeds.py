"""Polling the CAP feeds of TOCSIN_CAP_FEEDS: each feed (Atom or RSS) lists CAP documents, linked
or embedded; every new one is stored as an import of its station, for an operator to accept or
reject. A feed that is down, slow or malformed is logged and skipped: it never fails the task."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
from lxml import etree
from psycopg_pool import ConnectionPool

from app.cap import imports as cap_imports
from app.cap.parse import CAP_NS, MAX_DOCUMENT_BYTES, parse_xml
from app.errors import DomainError

log = logging.getLogger(__name__)

TIMEOUT_S = 10.0
MAX_FEED_BYTES = 4 * MAX_DOCUMENT_BYTES
MAX_ENTRIES = 200
ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_TYPES = ("application/cap+xml", "application/xml", "text/xml")
_USER_AGENT = "Tocsin CAP feed reader"


class FeedError(Exception):
    """The feed or one of its documents could not be read."""


@dataclass
class FeedResult:
    documents: int = 0
    new: int = 0
    errors: list[str] = field(default_factory=list)


def poll_feeds(pool: ConnectionPool, feeds: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Every configured feed ((station slug, URL), as TOCSIN_CAP_FEEDS lists them) once; returns
    how many new imports each station got."""
    counts: dict[str, int] = {}
    with requests.Session() as session:
        session.headers["User-Agent"] = _USER_AGENT
        for slug, url in feeds:
            counts[slug] = counts.get(slug, 0) + poll_feed(pool, slug, url, session).new
    return counts


def poll_feed(pool: ConnectionPool, slug: str, url: str, session: requests.Session | None = None) -> FeedResult:
    """One feed: its CAP documents, stored as imports of the station if new. Never raises."""
    result = FeedResult()
    own = session or requests.Session()
    try:
        root = parse_xml(fetch(own, url), "feed", MAX_FEED_BYTES)
        for source, embedded in documents_of(root, url):
            result.documents += 1
            try:
                raw = embedded if embedded is not None else fetch(own, source)
                if cap_imports.store_feed_document(pool, slug, raw):
                    result.new += 1
            except (FeedError, DomainError) as exc:
                message = getattr(exc, "message", str(exc))
                result.errors.append(f"{source}: {message}")
                log.warning("CAP feed %s of %s: skipped %s: %s", url, slug, source, message)
    except (FeedError, DomainError) as exc:
        message = getattr(exc, "message", str(exc))
        result.errors.append(f"{url}: {message}")
        log.warning("CAP feed %s of %s could not be read: %s", url, slug, message)
    except Exception:  # a feed must never stop the others, nor the beat
        result.errors.append(f"{url}: unexpected error")
        log.exception("CAP feed %s of %s: unexpected error", url, slug)
    finally:
        if session is None:
            own.close()
    if result.new:
        log.info("CAP feed %s of %s: %d new alert(s) to review", url, slug, result.new)
    return result


def fetch(session: requests.Session, url: str) -> bytes:
    if urlsplit(url).scheme not in ("http", "https"):
        raise FeedError(f"not an http(s) URL: {url}")
    try:
        with session.get(url, timeout=TIMEOUT_S, stream=True, allow_redirects=True,
                         headers={"Accept": "application/atom+xml, application/rss+xml, application/cap+xml, "
                                            "application/xml;q=0.9, */*;q=0.1"}) as response:
            if response.status_code != 200:
                raise FeedError(f"HTTP {response.status_code} from {url}")
            body = bytearray()
            for chunk in response.iter_content(64 * 1024):
                body += chunk
                if len(body) > MAX_FEED_BYTES:
                    raise FeedError(f"{url} is larger than {MAX_FEED_BYTES // 1024} KiB")
            return bytes(body)
    except requests.RequestException as exc:
        raise FeedError(f"{url}: {exc.__class__.__name__}: {exc}") from None


def documents_of(root: etree._Element, base_url: str) -> list[tuple[str, bytes | None]]:
    """(where, embedded CAP bytes or None to fetch `where`) per entry of an Atom or RSS feed; a
    bare CAP document is a feed of one."""
    if _is_cap(root):
        return [(base_url, etree.tostring(root))]
    found: list[tuple[str, bytes | None]] = []
    if root.tag == f"{{{ATOM_NS}}}feed":
        entries = root.findall(f"{{{ATOM_NS}}}entry")
    elif root.tag == "rss" or etree.QName(root).localname == "RDF":
        entries = [e for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname == "item"]
    else:
        raise FeedError(f"{base_url} is neither an Atom nor an RSS feed (root <{etree.QName(root).localname}>)")
    for entry in entries[:MAX_ENTRIES]:
        embedded = next((e for e in entry.iter(f"{{{CAP_NS}}}alert")), None)
        if embedded is not None:
            found.append((f"{base_url}#{len(found)}", etree.tostring(embedded)))
            continue
        link = _cap_link(entry)
        if link:
            found.append((urljoin(base_url, link), None))
    return found


def _is_cap(element: etree._Element) -> bool:
    return bool(element.tag == f"{{{CAP_NS}}}alert")


def _cap_link(entry: etree._Element) -> str | None:
    """The entry's link to its CAP document: an Atom link typed as CAP (or the alternate one), an
    RSS enclosure typed as CAP, or the RSS <link>."""
    atom_links = entry.findall(f"{{{ATOM_NS}}}link")
    for link in atom_links:
        if (link.get("type") or "").split(";")[0].strip() in CAP_TYPES and link.get("href"):
            return str(link.get("href"))
    for link in atom_links:
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return str(link.get("href"))
    for enclosure in entry.findall("enclosure"):
        if (enclosure.get("type") or "") in CAP_TYPES and enclosure.get("url"):
            return str(enclosure.get("url"))
    text = entry.findtext("link")
    return text.strip() if text and text.strip() else None
