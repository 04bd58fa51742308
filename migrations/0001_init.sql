-- Tocsin initial schema.
-- Positions are stored in EPSG:3857 (spherical Web Mercator): the operator draws zones on a Web
-- Mercator map, so a polygon's straight edges are straight in this projection, and GiST
-- point-in-polygon tests in planar coordinates are the fastest PostGIS offers.

CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE stations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name        text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('municipality', 'association', 'institution')),
    -- INSEE code (or other official code) of a municipality's commune
    code        text,
    territory   geometry(MultiPolygon, 4326),
    parent_id   bigint REFERENCES stations (id) ON DELETE RESTRICT,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (kind <> 'municipality' OR territory IS NOT NULL)
);

CREATE TABLE operators (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL,
    email       text UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE operator_roles (
    operator_id bigint NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
    station_id  bigint NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('admin', 'publisher', 'approver')),
    PRIMARY KEY (operator_id, station_id, role)
);

-- Only a SHA-256 of each token is kept: a database dump does not hand out operator access.
CREATE TABLE api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    operator_id  bigint NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
    token_hash   bytea NOT NULL UNIQUE,
    label        text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

CREATE TABLE devices (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    platform      text NOT NULL CHECK (platform IN ('webpush', 'apns', 'fcm')),
    -- Web Push subscription; for APNs/FCM the token goes in endpoint
    endpoint      text NOT NULL,
    p256dh        text,
    auth          text,
    secret_hash   bytea NOT NULL,
    locale        text NOT NULL DEFAULT 'fr',
    nearby        boolean NOT NULL DEFAULT false,
    -- current position for "alerts around me": snapped to the privacy grid, overwritten on each
    -- report (no history), forgotten when it expires
    position      geometry(Point, 3857),
    position_expires_at timestamptz,
    active        boolean NOT NULL DEFAULT true,
    deactivated_reason text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (platform, endpoint),
    CHECK (platform <> 'webpush' OR (p256dh IS NOT NULL AND auth IS NOT NULL))
);
CREATE INDEX devices_position_gist ON devices USING gist (position) WHERE nearby AND active;

-- Saved places (home, work, school), snapped to the privacy grid.
CREATE TABLE places (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    device_id  uuid NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('home', 'work', 'school', 'other')),
    geom       geometry(Point, 3857) NOT NULL
);
CREATE INDEX places_geom_gist ON places USING gist (geom);
CREATE INDEX places_device ON places (device_id);

CREATE TABLE follows (
    device_id  uuid NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    station_id bigint NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
    PRIMARY KEY (station_id, device_id)
);
CREATE INDEX follows_device ON follows (device_id);

CREATE TABLE alerts (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    station_id   bigint NOT NULL REFERENCES stations (id) ON DELETE RESTRICT,
    operator_id  bigint REFERENCES operators (id) ON DELETE SET NULL,
    title        text NOT NULL,
    body         text NOT NULL,
    severity     text NOT NULL CHECK (severity IN ('Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown')),
    category     text NOT NULL CHECK (category IN ('Geo', 'Met', 'Safety', 'Security', 'Rescue',
                  'Fire', 'Health', 'Env', 'Transport', 'Infra', 'CBRNE', 'Other')),
    audience     text NOT NULL CHECK (audience IN ('followers', 'everyone')),
    -- the zone as the operator gave it (circle or polygon), and the area devices are matched
    -- against: the zone grown by the privacy grid's snapping error, in EPSG:3857
    zone         jsonb,
    zone_shape   geometry(Geometry, 4326),
    match_area   geometry(Geometry, 3857),
    -- pending: committed, fan-out not done yet; sending: ledger written, pushes under way;
    -- complete: every delivery final; expired: closed at expiry with deliveries left unsent
    state        text NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'sending', 'complete', 'expired')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    -- when the fan-out wake-up was last queued (NULL: queue it now)
    fanout_queued_at timestamptz,
    fanned_out_at timestamptz,
    completed_at timestamptz,
    CHECK (expires_at > created_at),
    CHECK ((zone IS NULL) = (match_area IS NULL))
);
CREATE INDEX alerts_open ON alerts (state) WHERE state IN ('pending', 'sending');
CREATE INDEX alerts_station ON alerts (station_id, created_at DESC);

-- The ledger: one row per (alert, device), what must be delivered and what happened.
-- No foreign keys: their per-row checks would double the cost of writing a large alert's ledger.
-- Alerts are never deleted; erasing a device deletes its deliveries in the same transaction
-- (app/db/devices.py).
CREATE TABLE deliveries (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_id      uuid NOT NULL,
    device_id     uuid NOT NULL,
    channel       text NOT NULL CHECK (channel IN ('webpush', 'apns', 'fcm')),
    -- pending -> sending (claimed by a send task) -> sent | gone | failed | expired;
    -- sending -> pending again on a retryable outcome or when its claim goes stale
    status        text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'sending', 'sent', 'gone', 'failed', 'expired')),
    attempts      integer NOT NULL DEFAULT 0,
    -- when a pending row may be sent again (NULL: now); set on retry with backoff
    not_before    timestamptz,
    -- when a send task was last queued for this row / when it was claimed
    enqueued_at   timestamptz,
    claimed_at    timestamptz,
    finished_at   timestamptz,
    last_error    text,
    UNIQUE (alert_id, device_id)
) WITH (fillfactor = 70);
-- No index mentions the columns a send updates (status, attempts, timestamps): every claim and
-- every recorded outcome is then a HOT update, written in place on a page kept 30% free, without
-- touching the indexes. Unfinished rows are found through their open alert instead.
CREATE INDEX deliveries_device ON deliveries (device_id);
