-- A sensor's device key hash (SHA-256, hex; NULL when revoked) in its projection row, so the edges find which sensor
-- a key belongs to, and refuse an unknown one, without activating any sensor grain. The row carries it as
-- "DeviceKeyHash" (SensorState.Row); hue_project is 007's with that one column added.

ALTER TABLE hue_sensors ADD COLUMN IF NOT EXISTS device_key_hash text NULL;
CREATE INDEX IF NOT EXISTS hue_sensors_device_key ON hue_sensors (device_key_hash) WHERE device_key_hash IS NOT NULL;

-- Copies an entity's projection ("Row" in its state document) into its table. Runs inside the state write.
CREATE OR REPLACE FUNCTION hue_project(p_state text, r jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF p_state = 'case' THEN
        INSERT INTO hue_cases AS c (id, version, commune, procedure, citizen_id, status, is_open, paused, overdue, filed_at,
                                    due_at, completed_at, closed_at, completed, on_time, updated_at)
        VALUES (r->>'Id', (r->>'Version')::bigint, r->>'Commune', r->>'Procedure', r->>'CitizenId', (r->>'Status')::smallint,
                (r->>'Open')::boolean, (r->>'Paused')::boolean, (r->>'Overdue')::boolean, (r->>'FiledAt')::timestamptz,
                (r->>'DueAt')::timestamptz, (r->>'CompletedAt')::timestamptz, (r->>'ClosedAt')::timestamptz,
                (r->>'Completed')::boolean, (r->>'OnTime')::boolean, (r->>'UpdatedAt')::timestamptz)
        ON CONFLICT (id) DO UPDATE SET
            version = EXCLUDED.version, commune = EXCLUDED.commune, procedure = EXCLUDED.procedure,
            citizen_id = EXCLUDED.citizen_id, status = EXCLUDED.status, is_open = EXCLUDED.is_open, paused = EXCLUDED.paused,
            overdue = EXCLUDED.overdue, filed_at = EXCLUDED.filed_at, due_at = EXCLUDED.due_at,
            completed_at = EXCLUDED.completed_at, closed_at = EXCLUDED.closed_at, completed = EXCLUDED.completed,
            on_time = EXCLUDED.on_time, updated_at = EXCLUDED.updated_at
        WHERE c.version <> EXCLUDED.version;
    ELSIF p_state = 'feedback' THEN
        INSERT INTO hue_feedback AS f (id, version, commune, category, reporter_id, status, is_open, overdue, submitted_at,
                                       due_at, resolved_at, rating, updated_at, description, address, latitude, longitude,
                                       answer, photo_url)
        VALUES (r->>'Id', (r->>'Version')::bigint, r->>'Commune', (r->>'Category')::smallint, r->>'ReporterId',
                (r->>'Status')::smallint, (r->>'Open')::boolean, (r->>'Overdue')::boolean, (r->>'SubmittedAt')::timestamptz,
                (r->>'DueAt')::timestamptz, (r->>'ResolvedAt')::timestamptz, (r->>'Rating')::smallint,
                (r->>'UpdatedAt')::timestamptz, r->>'Description', r->>'Address', (r->>'Latitude')::double precision,
                (r->>'Longitude')::double precision, r->>'Answer', r->>'PhotoUrl')
        ON CONFLICT (id) DO UPDATE SET
            version = EXCLUDED.version, commune = EXCLUDED.commune, category = EXCLUDED.category,
            reporter_id = EXCLUDED.reporter_id, status = EXCLUDED.status, is_open = EXCLUDED.is_open,
            overdue = EXCLUDED.overdue, submitted_at = EXCLUDED.submitted_at, due_at = EXCLUDED.due_at,
            resolved_at = EXCLUDED.resolved_at, rating = EXCLUDED.rating, updated_at = EXCLUDED.updated_at,
            description = EXCLUDED.description, address = EXCLUDED.address, latitude = EXCLUDED.latitude,
            longitude = EXCLUDED.longitude, answer = EXCLUDED.answer, photo_url = EXCLUDED.photo_url
        WHERE f.version <> EXCLUDED.version;
    ELSIF p_state = 'sensor' THEN
        INSERT INTO hue_sensors AS s (id, version, commune, kind, alert_level, last_seen, latitude, longitude, snapshot,
                                      device_key_hash)
        VALUES (r->>'Id', (r->>'Version')::bigint, r->>'Commune', (r->>'Kind')::smallint, (r->>'AlertLevel')::integer,
                (r->>'LastSeen')::timestamptz, (r->>'Latitude')::double precision, (r->>'Longitude')::double precision,
                r->'Snapshot', r->>'DeviceKeyHash')
        ON CONFLICT (id) DO UPDATE SET
            version = EXCLUDED.version, commune = EXCLUDED.commune, kind = EXCLUDED.kind,
            alert_level = EXCLUDED.alert_level, last_seen = EXCLUDED.last_seen, latitude = EXCLUDED.latitude,
            longitude = EXCLUDED.longitude, snapshot = EXCLUDED.snapshot, device_key_hash = EXCLUDED.device_key_hash;
    END IF;
END $$;

-- Sensors written before this script: their state document holds the hash beside the row.
UPDATE hue_sensors s
   SET device_key_hash = g.payload->>'DeviceKeyHash'
  FROM hue_grain_state g
 WHERE g.grain_type = 'sensor' AND g.payload->'Row'->>'Id' = s.id AND s.device_key_hash IS NULL;
