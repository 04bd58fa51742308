-- APNs devices may name the app (bundle id) they belong to when one server sends for several;
-- NULL means the first configured topic. The token itself goes in devices.endpoint.
ALTER TABLE devices ADD COLUMN apns_topic text;
ALTER TABLE devices ADD CONSTRAINT devices_apns_topic_only_for_apns
    CHECK (apns_topic IS NULL OR platform = 'apns');
