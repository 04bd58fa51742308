-- Alert templates a station edits: its version of a built-in template (same key as in
-- app/alert_templates.py) or a template of its own. Deleting the row puts a built-in back to its
-- default. texts: {"fr": {"name", "title", "body"}, "en": {…}}, at least one language; a blank
-- to fill is written in square brackets, [rue].
CREATE TABLE station_templates (
    station_id  bigint NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
    key         text NOT NULL CHECK (key ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    texts       jsonb NOT NULL CHECK (jsonb_typeof(texts) = 'object' AND texts <> '{}'::jsonb),
    category    text NOT NULL CHECK (category IN ('Geo', 'Met', 'Safety', 'Security', 'Rescue',
                    'Fire', 'Health', 'Env', 'Transport', 'Infra', 'CBRNE', 'Other')),
    severity    text NOT NULL CHECK (severity IN ('Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown')),
    urgent      boolean NOT NULL DEFAULT false,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  bigint REFERENCES operators (id) ON DELETE SET NULL,
    PRIMARY KEY (station_id, key)
);
