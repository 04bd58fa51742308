-- The alert's whole life: exercise or live, four-eyes approval, update and cancel, scheduled
-- release, several languages, CAP import, and an append-only audit trail.

-- The language a station writes in (the fallback for devices whose language an alert lacks), and
-- which severities of its live alerts need a second operator's approval (NULL: the default for
-- its kind, i.e. Extreme and Severe for a municipality, none otherwise).
ALTER TABLE stations ADD COLUMN language text NOT NULL DEFAULT 'fr' CHECK (language ~ '^[a-z]{2,3}$');
ALTER TABLE stations ADD COLUMN approval_severities text[];

-- status (CAP): actual, or an exercise / a test that only the station's test devices receive.
-- It never changes, and an update or cancel keeps the status of what it replaces.
ALTER TABLE alerts ADD COLUMN status text NOT NULL DEFAULT 'actual'
    CHECK (status IN ('actual', 'exercise', 'test'));
-- msgType (CAP): Alert, or an Update / Cancel of the message in references_id. Every message of
-- one story shares thread_id (the first message's id): it is the Web Push Topic, the notification
-- tag, the APNs collapse id and the FCM collapse key, so that on a phone the newest replaces the rest.
ALTER TABLE alerts ADD COLUMN msg_type text NOT NULL DEFAULT 'Alert'
    CHECK (msg_type IN ('Alert', 'Update', 'Cancel'));
ALTER TABLE alerts ADD COLUMN references_id uuid REFERENCES alerts (id);
ALTER TABLE alerts ADD COLUMN thread_id uuid;
UPDATE alerts SET thread_id = id;
ALTER TABLE alerts ALTER COLUMN thread_id SET NOT NULL;
CREATE INDEX alerts_thread ON alerts (thread_id);
ALTER TABLE alerts ADD CONSTRAINT alerts_references CHECK ((msg_type = 'Alert') = (references_id IS NULL));
-- the newest message of the thread that replaced this one (an Update or a Cancel)
ALTER TABLE alerts ADD COLUMN replaced_by uuid REFERENCES alerts (id);

-- Texts: title and body are the texts in `language`; `texts` holds every language given,
-- {"fr": {"title": …, "body": …}, "en": {…}}, the main one included.
ALTER TABLE alerts ADD COLUMN language text NOT NULL DEFAULT 'fr';
ALTER TABLE alerts ADD COLUMN texts jsonb;
UPDATE alerts SET texts = jsonb_build_object(language, jsonb_build_object('title', title, 'body', body));
ALTER TABLE alerts ALTER COLUMN texts SET NOT NULL;

-- Scheduled release (routine posts): the periodic task turns a due 'scheduled' alert 'pending'.
ALTER TABLE alerts ADD COLUMN send_at timestamptz;

-- Four-eyes approval: what was asked to be approved (a hash of the exact content and zone),
-- since when, and who approved it. Editing changes the hash and restarts the request.
ALTER TABLE alerts ADD COLUMN content_hash bytea;
ALTER TABLE alerts ADD COLUMN approval_requested_at timestamptz;
ALTER TABLE alerts ADD COLUMN approved_by bigint REFERENCES operators (id) ON DELETE SET NULL;
ALTER TABLE alerts ADD COLUMN approved_at timestamptz;

-- A CAP alert imported from another system keeps its own identifier, sender and sent time.
ALTER TABLE alerts ADD COLUMN cap_identifier text;
ALTER TABLE alerts ADD COLUMN cap_sender text;
ALTER TABLE alerts ADD COLUMN cap_sent timestamptz;

-- New states before sending: awaiting_approval, scheduled, withdrawn (by its author, or refused);
-- and after: replaced (an update superseded it) and cancelled.
ALTER TABLE alerts DROP CONSTRAINT alerts_state_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_state_check CHECK (state IN (
    'awaiting_approval', 'scheduled', 'withdrawn', 'pending', 'sending', 'complete', 'expired',
    'replaced', 'cancelled'));
-- an alert's expiry is checked from the moment it is sent, not when it was drafted
ALTER TABLE alerts DROP CONSTRAINT alerts_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_expiry CHECK (expires_at > coalesce(send_at, created_at));
CREATE INDEX alerts_due ON alerts (send_at) WHERE state = 'scheduled';

-- A delivery not yet made when an update or cancel replaced its alert is not made: 'replaced'.
ALTER TABLE deliveries DROP CONSTRAINT deliveries_status_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_status_check CHECK (status IN (
    'pending', 'sending', 'sent', 'gone', 'failed', 'expired', 'replaced'));

-- The station's test devices (operators' own phones): the only ones exercises and tests reach.
CREATE TABLE test_devices (
    station_id  bigint NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
    device_id   uuid NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    enrolled_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station_id, device_id)
);
CREATE INDEX test_devices_device ON test_devices (device_id);

-- Short-lived codes an operator shows in the console and types in the app to enrol a phone.
CREATE TABLE test_enrolment_codes (
    code_hash   bytea PRIMARY KEY,
    station_id  bigint NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
    operator_id bigint REFERENCES operators (id) ON DELETE CASCADE,
    expires_at  timestamptz NOT NULL
);

-- The audit trail: appended to, never changed. Actor and station are plain values, not foreign
-- keys, so that removing an operator or a station cannot rewrite history.
CREATE TABLE audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_id     bigint,
    actor        text NOT NULL,
    action       text NOT NULL,
    station_id   bigint,
    alert_id     uuid,
    content_hash text,
    zone         jsonb,
    detail       jsonb
);
CREATE INDEX audit_log_station ON audit_log (station_id, at DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- CAP alerts received from other systems (uploaded or read from a feed), waiting for an operator
-- of the station to accept (rebroadcast) or reject them.
CREATE TABLE cap_imports (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    station_id   bigint NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
    source       text NOT NULL,
    identifier   text NOT NULL,
    sender       text NOT NULL,
    sent         timestamptz NOT NULL,
    document     text NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    state        text NOT NULL DEFAULT 'received' CHECK (state IN ('received', 'accepted', 'rejected')),
    decided_by   bigint REFERENCES operators (id) ON DELETE SET NULL,
    decided_at   timestamptz,
    alert_id     uuid REFERENCES alerts (id),
    UNIQUE (station_id, sender, identifier)
);
