-- Notifications (issue 17): who hears of what, and each citizen's inbox. A background worker on every silo reads the
-- change feed (hue_changes) after hue_notify_checkpoint and, in one transaction per batch, calls hue_notify_fan_out once
-- per relevant change: one INSERT…SELECT writes the inbox rows of all its audience. Never one call per citizen.

-- The home commune of each registered citizen (written by the citizen grain): whose commune's alerts they hear of.
CREATE TABLE IF NOT EXISTS hue_notify_homes
(
    citizen_id text COLLATE "C" PRIMARY KEY,
    commune    text NOT NULL
);
CREATE INDEX IF NOT EXISTS hue_notify_homes_commune ON hue_notify_homes (commune);

CREATE TABLE IF NOT EXISTS hue_notify_follows
(
    feedback_id text COLLATE "C" NOT NULL,
    citizen_id  text COLLATE "C" NOT NULL,
    PRIMARY KEY (feedback_id, citizen_id)
);
CREATE INDEX IF NOT EXISTS hue_notify_follows_citizen ON hue_notify_follows (citizen_id);

-- Places a citizen watches for alerts: a point and a radius (50 m – 20 km).
CREATE TABLE IF NOT EXISTS hue_notify_places
(
    place_id   text COLLATE "C" PRIMARY KEY,
    citizen_id text COLLATE "C" NOT NULL,
    name       text NULL,
    latitude   double precision NOT NULL,
    longitude  double precision NOT NULL,
    radius_m   double precision NOT NULL CHECK (radius_m BETWEEN 50 AND 20000),
    created_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS hue_notify_places_citizen ON hue_notify_places (citizen_id, created_at);
CREATE INDEX IF NOT EXISTS hue_notify_places_position ON hue_notify_places (latitude, longitude);

-- The inboxes: one row per citizen and change (the unique key makes a re-run of a batch harmless).
CREATE TABLE IF NOT EXISTS hue_notifications
(
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    citizen_id text COLLATE "C" NOT NULL,
    position   bigint      NOT NULL,
    at         timestamptz NOT NULL,
    kind       text        NOT NULL,   -- alert | report-update
    entity_id  text        NOT NULL,
    commune    text        NULL,
    title_vi   text        NOT NULL,
    title_en   text        NOT NULL,
    read_at    timestamptz NULL,
    UNIQUE (citizen_id, position)
);
CREATE INDEX IF NOT EXISTS hue_notifications_inbox ON hue_notifications (citizen_id, at DESC, id DESC);
CREATE INDEX IF NOT EXISTS hue_notifications_unread ON hue_notifications (citizen_id, at DESC, id DESC) WHERE read_at IS NULL;

-- How far the fan-out has read the change feed; it starts at the feed's head (history is not news).
CREATE TABLE IF NOT EXISTS hue_notify_checkpoint
(
    single   boolean PRIMARY KEY DEFAULT true CHECK (single),
    position bigint  NOT NULL
);
INSERT INTO hue_notify_checkpoint (single, position)
SELECT true, coalesce(max(position), 0) FROM hue_changes
ON CONFLICT (single) DO NOTHING;

-- An alert reaches the citizens living in its commune and those watching a place within reach of its position (a
-- bounding box of 0.2° holds the largest radius, 20 km, at Huế's latitude); a report update reaches its followers.
CREATE OR REPLACE FUNCTION hue_notify_fan_out(p_position bigint, p_at timestamptz, p_kind text, p_entity text, p_commune text,
                                              p_latitude double precision, p_longitude double precision, p_title_vi text, p_title_en text)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    written integer;
BEGIN
    IF p_kind = 'alert' THEN
        INSERT INTO hue_notifications (citizen_id, position, at, kind, entity_id, commune, title_vi, title_en)
        SELECT audience.citizen_id, p_position, p_at, p_kind, p_entity, p_commune, p_title_vi, p_title_en
        FROM (
            SELECT h.citizen_id FROM hue_notify_homes h WHERE h.commune = p_commune
            UNION
            SELECT pl.citizen_id FROM hue_notify_places pl
            WHERE p_latitude IS NOT NULL AND p_longitude IS NOT NULL
              AND pl.latitude BETWEEN p_latitude - 0.2 AND p_latitude + 0.2
              AND pl.longitude BETWEEN p_longitude - 0.2 AND p_longitude + 0.2
              AND hue_distance_m(pl.latitude, pl.longitude, p_latitude, p_longitude) <= pl.radius_m
        ) audience
        ON CONFLICT (citizen_id, position) DO NOTHING;
    ELSE
        INSERT INTO hue_notifications (citizen_id, position, at, kind, entity_id, commune, title_vi, title_en)
        SELECT f.citizen_id, p_position, p_at, p_kind, p_entity, p_commune, p_title_vi, p_title_en
        FROM hue_notify_follows f WHERE f.feedback_id = p_entity
        ON CONFLICT (citizen_id, position) DO NOTHING;
    END IF;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END $$;

-- Citizens registered before this migration hear of their home commune's alerts too.
INSERT INTO hue_notify_homes (citizen_id, commune)
SELECT grain_id_ext, payload->'Profile'->>'HomeCommune' FROM hue_grain_state
WHERE grain_type = 'citizen' AND jsonb_typeof(payload->'Profile') = 'object' AND payload->'Profile'->>'HomeCommune' IS NOT NULL
ON CONFLICT (citizen_id) DO NOTHING;
