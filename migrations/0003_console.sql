-- The operator console: passwords, server-side sessions, login throttling, invitations and the
-- zones a station saves for reuse.

-- argon2id hash (argon2-cffi's encoded form); NULL until the operator chose a password.
ALTER TABLE operators ADD COLUMN password_hash text;
ALTER TABLE operators ADD COLUMN active boolean NOT NULL DEFAULT true;

-- Only a SHA-256 of the cookie's value is kept, as for API tokens.
CREATE TABLE operator_sessions (
    token_hash   bytea PRIMARY KEY,
    operator_id  bigint NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
    csrf_token   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX operator_sessions_expiry ON operator_sessions (expires_at);

-- Failed logins of the last minutes, to slow down password guessing; old rows are purged.
CREATE TABLE login_failures (
    email        text NOT NULL,
    address      text NOT NULL,
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email ON login_failures (email, at);
CREATE INDEX login_failures_address ON login_failures (address, at);

CREATE TABLE invitations (
    token_hash   bytea PRIMARY KEY,
    operator_id  bigint NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz
);

CREATE TABLE saved_zones (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id   bigint NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
    name         text NOT NULL,
    -- as the alert API takes it: a Circle or a GeoJSON Polygon / MultiPolygon
    zone         jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (station_id, name)
);
