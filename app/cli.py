"""`tocsin`: administration commands (migrate, import a commune, create operators and API tokens)."""

from __future__ import annotations

import argparse
import getpass
import sys
import unicodedata
from pathlib import Path

import geo
from app.db import audit
from app.db import sessions as sessions_db
from app.db import stations as db
from app.db.migrations import apply_migrations
from app.db.pool import connect
from app.errors import InvalidInput
from app.services.operators import hash_token, new_token
from app.services.sessions import hash_password
from app.settings import Settings
from app.vocab import CHILD_STATION_KINDS, Role, Severity

ROOT = Path(__file__).resolve().parents[1]
DEMO_COMMUNES = ROOT / "data" / "communes-42-loire.geojson"
DEMO_CODE = "42218"  # Saint-Étienne
DEMO_EMAIL = "maire@saint-etienne.demo"
DEMO_PASSWORD = "demo-saint-etienne"  # printed by make run; the demo is for a machine of one's own
# The second pair of eyes: severe and extreme live alerts of a town wait for an approver's approval.
DEMO_APPROVER_EMAIL = "adjoint@saint-etienne.demo"


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_name).split())


def import_commune(settings: Settings, path: Path, code: str, slug: str | None) -> tuple[str, str]:
    commune = geo.find_commune(path, code)
    slug = slug or slugify(commune.name)
    with connect(settings.database_url) as conn:
        db.upsert_municipality(conn, slug, commune.name, commune.code, commune.boundary.wkb)
    return slug, commune.name


def create_operator(settings: Settings, name: str, email: str, station: str, role: str) -> int:
    with connect(settings.database_url) as conn:
        found = db.find_station(conn, station)
        if found is None:
            raise SystemExit(f"error: there is no station called {station!r}")
        operator_id = db.create_operator(conn, name, email)
        db.grant_role(conn, operator_id, found.id, role)
    return operator_id


def set_password(settings: Settings, email: str, password: str) -> None:
    """Set an operator's console password (argon2id); their open sessions end."""
    password_hash = hash_password(password)
    with connect(settings.database_url) as conn:
        operator_id = db.operator_id_by_email(conn, email)
        if operator_id is None:
            raise SystemExit(f"error: no operator with e-mail {email!r}; create it with create-operator")
        sessions_db.set_password_hash(conn, operator_id, password_hash)
        sessions_db.delete_sessions_of(conn, operator_id)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password (10 characters at least): ")
    if getpass.getpass("again: ") != first:
        raise SystemExit("error: the two passwords differ")
    return first


def create_token(settings: Settings, email: str, label: str) -> str:
    token = new_token()
    with connect(settings.database_url) as conn:
        operator_id = db.operator_id_by_email(conn, email)
        if operator_id is None:
            raise SystemExit(f"error: no operator with e-mail {email!r}; create it with create-operator")
        db.add_api_token(conn, operator_id, hash_token(token), label)
    return token


def demo(settings: Settings, token_file: Path) -> str:
    """Saint-Étienne with a mayor's office operator; returns an API token (kept across runs)."""
    apply_migrations(settings.database_url)
    slug, _ = import_commune(settings, DEMO_COMMUNES, DEMO_CODE, "saint-etienne")
    create_operator(settings, "Mairie de Saint-Étienne (démo)", DEMO_EMAIL, slug, Role.ADMIN)
    set_password(settings, DEMO_EMAIL, DEMO_PASSWORD)
    create_operator(settings, "Adjointe à la sécurité (démo)", DEMO_APPROVER_EMAIL, slug, Role.APPROVER)
    set_password(settings, DEMO_APPROVER_EMAIL, DEMO_PASSWORD)
    if token_file.exists():
        token = token_file.read_text().strip()
        with connect(settings.database_url) as conn:
            if db.operator_by_token(conn, hash_token(token)) is not None:
                return token
    token = create_token(settings, DEMO_EMAIL, "demo")
    token_file.parent.mkdir(parents=True, exist_ok=True)
    token_file.write_text(token + "\n")
    token_file.chmod(0o600)
    return token


SEVERITIES = tuple(Severity)


def set_approval(settings: Settings, slug: str, severities: str) -> str:
    """Which severities of the station's live alerts wait for a second operator's approval:
    a comma list, "none", or "default" (Extreme and Severe for a municipality, none otherwise)."""
    if severities == "default":
        chosen: list[str] | None = None
    elif severities == "none":
        chosen = []
    else:
        chosen = [w.strip().capitalize() for w in severities.split(",") if w.strip()]
        if bad := [w for w in chosen if w not in SEVERITIES]:
            raise SystemExit(f"error: {bad[0]!r} is not a severity; use {', '.join(SEVERITIES)}, none or default")
    with connect(settings.database_url) as conn:
        station_id = db.set_approval_severities(conn, slug, chosen)
        if station_id is None:
            raise SystemExit(f"error: there is no station called {slug!r}")
        audit.record(conn, actor=None, action="approval_config", station_id=station_id,
                     detail={"severities": chosen})
    if chosen is None:
        return "the default for its kind"
    return ", ".join(chosen) if chosen else "none"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="tocsin",
        description="Tocsin administration. Settings come from TOCSIN_* environment variables (see README).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply the database migrations not yet applied")
    p = sub.add_parser("import-commune", help="create or update a municipality station from a GeoJSON file")
    p.add_argument("--file", type=Path, required=True, help="GeoJSON FeatureCollection with properties code and nom")
    p.add_argument("--code", required=True, help="the commune's INSEE code, e.g. 42218")
    p.add_argument("--slug", help="the station's short name in URLs (default: from the commune's name)")
    p = sub.add_parser("create-station", help="create an association or institution station")
    p.add_argument("--slug", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--kind", choices=[k.value for k in CHILD_STATION_KINDS], required=True)
    p.add_argument("--parent", help="slug of the municipality it belongs to")
    p = sub.add_parser("create-operator", help="create an operator (or add a role) on a station")
    p.add_argument("--name", required=True)
    p.add_argument("--email", required=True)
    p.add_argument("--station", required=True, help="station slug")
    p.add_argument("--role", choices=[r.value for r in Role], default=Role.PUBLISHER.value)
    p = sub.add_parser("create-admin", help="create the first administrator of a station and set their password")
    p.add_argument("--name", required=True)
    p.add_argument("--email", required=True)
    p.add_argument("--station", required=True, help="station slug")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p = sub.add_parser("set-password", help="set (or reset) an operator's console password")
    p.add_argument("--email", required=True)
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p = sub.add_parser("create-token", help="create an API token for an operator; printed once, stored hashed")
    p.add_argument("--email", required=True)
    p.add_argument("--label", default="")
    p = sub.add_parser("set-approval", help="which live alerts of a station wait for a second operator's approval")
    p.add_argument("--station", required=True, help="station slug")
    p.add_argument("--severities", required=True,
                   help="comma list (e.g. Extreme,Severe), 'none', or 'default' (Extreme,Severe for a municipality)")
    p = sub.add_parser("demo", help="migrate, import Saint-Étienne and print a demo operator's API token")
    p.add_argument("--token-file", type=Path, default=Path("var/demo_token"))
    args = parser.parse_args(argv)
    settings = Settings.from_env()

    if args.command == "migrate":
        applied = apply_migrations(settings.database_url)
        print("applied: " + ", ".join(applied) if applied else "database schema is up to date")
    elif args.command == "import-commune":
        slug, name = import_commune(settings, args.file, args.code, args.slug)
        print(f"station {slug!r} ({name}) ready")
    elif args.command == "create-station":
        with connect(settings.database_url) as conn:
            parent = db.find_station(conn, args.parent) if args.parent else None
            if args.parent and parent is None:
                raise SystemExit(f"error: there is no station called {args.parent!r}")
            db.create_station(conn, args.slug, args.name, args.kind, parent.id if parent else None)
        print(f"station {args.slug!r} created")
    elif args.command == "create-operator":
        create_operator(settings, args.name, args.email, args.station, args.role)
        print(f"operator {args.email} is {args.role} of {args.station}")
    elif args.command in ("create-admin", "set-password"):
        if args.command == "create-admin":
            create_operator(settings, args.name, args.email, args.station, Role.ADMIN)
        try:
            set_password(settings, args.email, _read_password(args.password_stdin))
        except InvalidInput as exc:
            raise SystemExit(f"error: {exc.message}") from None
        print(f"{args.email} can log in to the console: {settings.public_url}/console/")
    elif args.command == "create-token":
        print(create_token(settings, args.email, args.label))
    elif args.command == "set-approval":
        chosen = set_approval(settings, args.station, args.severities)
        print(f"live alerts of {args.station} that need a second operator's approval: {chosen}")
    elif args.command == "demo":
        print(demo(settings, args.token_file))
    return 0


if __name__ == "__main__":
    sys.exit(main())
