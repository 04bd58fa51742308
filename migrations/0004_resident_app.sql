-- The resident app: per-station category choices, late arrivals, the self-test.

-- NULL: every category of the station; otherwise only these CAP categories.
ALTER TABLE follows ADD COLUMN categories text[];

-- The last "send me a test notification" of a device, and what became of it.
ALTER TABLE devices ADD COLUMN test_requested_at timestamptz;
ALTER TABLE devices ADD COLUMN test_state text CHECK (test_state IN ('pending', 'sent', 'failed'));
ALTER TABLE devices ADD COLUMN test_detail text;

-- Alerts still active, for devices arriving in their zone after the fan-out.
CREATE INDEX alerts_active ON alerts (expires_at) WHERE state IN ('sending', 'complete');

-- commune and station search ignores accents ('saint-etienne' finds Saint-Étienne)
CREATE EXTENSION IF NOT EXISTS unaccent;
