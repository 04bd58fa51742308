"""The fast layer: services and SQL on a real PostgreSQL/PostGIS, without uvicorn, Celery or Redis.

Once per session (per process, so parallel runs never meet) a *template* database is built, the
baseline every test starts from: migrations applied, Saint-Étienne imported from the test commune
data as `tocsin demo` and tests/infra.py do it, an association station and operators with their
roles. Every test then runs in it (not in a copy) inside one transaction that is rolled back at the
end, so a test sees the template's world and leaves nothing behind.

Services take `pool`, a stand-in for psycopg_pool.ConnectionPool whose `connection()` hands out
that same connection inside a savepoint: `with transaction(pool) as conn:` works unchanged, and an
error inside a service rolls back only what the service did. `wakeups` records what would have
been published to the workers. A test that must commit (two connections, row locks) asks for
`committing`: what it commits is deleted afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import psycopg
import pytest

from app import cli
from app.db import stations as stations_db
from app.db.migrations import apply_migrations
from app.settings import Settings
from tests.fast.support import FakePool, FakeRuntime, RecordedWakeUps, World, make_device

ADMIN_URL = os.environ.get("TOCSIN_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TEMPLATE = f"tocsin_fast_template_{os.getpid()}"

# The people of the test world: (fixture name, name, e-mail, station slug, roles)
OPERATORS = (
    ("mayor", "Maire", "maire@fast.invalid", "saint-etienne", ("admin",)),
    ("publisher", "Service communication", "com@fast.invalid", "saint-etienne", ("publisher",)),
    ("approver", "Adjointe à la sécurité", "adjointe@fast.invalid", "saint-etienne", ("approver",)),
    # may write and approve: the one who must never approve their own alert
    ("author_approver", "Directeur de cabinet", "cabinet@fast.invalid", "saint-etienne", ("publisher", "approver")),
    ("judo", "Club de judo", "judo@fast.invalid", "club-de-judo", ("publisher",)),
)


def database_url(name: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _admin(sql: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def build_template(name: str) -> None:
    """The baseline every fast test starts from (committed once, never changed by a test)."""
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    url = database_url(name)
    apply_migrations(url)
    settings = Settings(database_url=url)
    cli.import_commune(settings, cli.DEMO_COMMUNES, cli.DEMO_CODE, "saint-etienne")
    with psycopg.connect(url) as conn:
        town = stations_db.find_station(conn, "saint-etienne")
        assert town is not None
        stations_db.create_station(conn, "club-de-judo", "Club de judo", "association", town.id)
    for _, name_, email, station, roles in OPERATORS:
        for role in roles:
            cli.create_operator(settings, name_, email, station, role)
    # Approval is left at the default of each kind (Severe and Extreme live alerts of a town wait
    # for an approver), unlike the integration tests' town, which turns it off.


def drop(name: str) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def template_db() -> Iterator[str]:
    """Name of the session's template database: the rolled-back tests run in it."""
    build_template(TEMPLATE)
    yield TEMPLATE
    drop(TEMPLATE)


@pytest.fixture(scope="session")
def db_url(template_db: str) -> str:
    return database_url(template_db)


class _SessionConnection:
    """The session's one connection to the template, opened on demand."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn: psycopg.Connection | None = None

    def get(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            # autocommit: the only transactions are the explicit ones, so nothing commits by accident
            self._conn = psycopg.connect(self.url, autocommit=True)
            # load PostGIS into the backend now (~0.1 s), not in whichever test touches it first
            self._conn.execute("SELECT ST_Transform(ST_SetSRID(ST_MakePoint(4.39, 45.44), 4326), 3857)")
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


@pytest.fixture(scope="session")
def _session(db_url: str) -> Iterator[_SessionConnection]:
    holder = _SessionConnection(db_url)
    yield holder
    holder.close()


@pytest.fixture
def conn(_session: _SessionConnection) -> Iterator[psycopg.Connection]:
    """The test's connection, inside a transaction rolled back after the test. Nested
    `conn.transaction()` blocks are savepoints; an explicit `conn.commit()` is refused."""
    connection = _session.get()
    with connection.transaction(force_rollback=True):
        yield connection


# What tests write, in an order foreign keys accept; the template's own rows (stations, operators,
# roles) must not change. audit_log keeps what a committing test wrote: it refuses DELETE, by design.
_TEST_TABLES = ("deliveries", "alerts", "places", "follows", "test_devices", "test_enrolment_codes", "devices",
                "cap_imports", "saved_zones", "station_templates", "api_tokens", "operator_sessions",
                "login_failures", "invitations")
_TEMPLATE_ROWS = "SELECT (SELECT count(*) FROM stations), (SELECT count(*) FROM operators), " \
                 "(SELECT count(*) FROM operator_roles)"


@pytest.fixture
def committing(db_url: str, _session: _SessionConnection) -> Iterator[str]:
    """For the few tests that must commit (several connections, row locks): the database's URL;
    what the test committed is truncated afterwards. Use `conn` whenever you can."""
    conn = _session.get()
    before = conn.execute(_TEMPLATE_ROWS).fetchone()
    yield db_url
    filled = conn.execute("SELECT " + ", ".join(f"EXISTS (SELECT FROM {t})" for t in _TEST_TABLES)).fetchone()
    assert filled is not None
    with conn.transaction():
        for table in (t for t, rows in zip(_TEST_TABLES, filled, strict=True) if rows):
            conn.execute(f"DELETE FROM {table}")  # type: ignore[arg-type]  # a few rows: faster than TRUNCATE
    assert conn.execute(_TEMPLATE_ROWS).fetchone() == before, "a committing test changed the template's rows"


@pytest.fixture(scope="session")
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, redis_url="redis://127.0.0.1:1/0")  # Redis is never used here


@pytest.fixture
def pool(conn: psycopg.Connection) -> FakePool:
    return FakePool(conn)


@pytest.fixture
def wakeups() -> RecordedWakeUps:
    return RecordedWakeUps()


@pytest.fixture
def runtime(settings: Settings, pool: FakePool, wakeups: RecordedWakeUps) -> FakeRuntime:
    return FakeRuntime(settings, pool, wakeups)


# --- the world of the template ----------------------------------------------------------------

@pytest.fixture(scope="session")
def world(_session: _SessionConnection) -> World:
    conn = _session.get()
    town = stations_db.find_station(conn, "saint-etienne")
    association = stations_db.find_station(conn, "club-de-judo")
    assert town is not None and association is not None
    operators: dict[str, stations_db.Operator] = {}
    for key, _, email, _, _ in OPERATORS:
        operator_id = stations_db.operator_id_by_email(conn, email)
        assert operator_id is not None
        operator = stations_db.load_operator(conn, operator_id)
        assert operator is not None
        operators[key] = operator
    return World(town, association, operators)


@pytest.fixture
def town(world: World) -> stations_db.Station:
    """Saint-Étienne: a municipality with its real boundary (IGN Admin Express, data/)."""
    return world.town


@pytest.fixture
def association(world: World) -> stations_db.Station:
    """Club de judo: an association whose parent is the town (its zones stay in the town)."""
    return world.association


@pytest.fixture
def mayor(world: World) -> stations_db.Operator:
    return world.operators["mayor"]


@pytest.fixture
def publisher(world: World) -> stations_db.Operator:
    return world.operators["publisher"]


@pytest.fixture
def approver(world: World) -> stations_db.Operator:
    return world.operators["approver"]


@pytest.fixture
def author_approver(world: World) -> stations_db.Operator:
    return world.operators["author_approver"]


@pytest.fixture
def judo(world: World) -> stations_db.Operator:
    return world.operators["judo"]


# --- devices ----------------------------------------------------------------------------------

AddDevice = Callable[..., uuid.UUID]


@pytest.fixture
def add_device(conn: psycopg.Connection, world: World) -> AddDevice:
    """add_device(places=[(lon, lat), …], follow=("saint-etienne",), …) -> device id (support.make_device)."""

    def add(**kwargs: object) -> uuid.UUID:
        return make_device(conn, world, **kwargs)  # type: ignore[arg-type]

    return add

