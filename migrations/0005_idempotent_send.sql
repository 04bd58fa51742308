-- A send carrying an Idempotency-Key creates at most one alert per station and key: a double click
-- or a retried request gets the first alert back. The hash tells a retry from a different alert.
ALTER TABLE alerts ADD COLUMN idempotency_key text;
ALTER TABLE alerts ADD COLUMN request_hash bytea;
CREATE UNIQUE INDEX alerts_idempotency ON alerts (station_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
