-- The change feed API clients follow: every change to a dossier, report, sensor (provisioning), alert level, and the
-- commune and city indicators, appended in commit order with a position clients resume after.
--
-- Positions come from a sequence taken under a transaction-scoped advisory lock, held until the appending transaction
-- commits: a transaction with a later position can only append after the earlier one has committed (or rolled back,
-- leaving a gap), so a reader that sees position n+1 already sees every change before it. (Sequence values alone
-- become visible out of commit order.) The lock is taken as late as possible: by the last trigger on the state row.
--
-- Dossiers, reports and sensors are appended by the trigger below from the entity's projection row, in the same
-- transaction as the state write; personal fields (the applicant, the reporter) and device key hashes are never copied. Indicators are
-- appended by the commune and city grains with hue_append_change(). Rows older than the retention are deleted.

CREATE SEQUENCE IF NOT EXISTS hue_change_position;

CREATE TABLE IF NOT EXISTS hue_changes
(
    position  bigint      PRIMARY KEY,
    type      text        NOT NULL,   -- case | feedback | sensor | alert | commune | city
    entity_id text        NOT NULL,
    commune   text        NULL,
    version   bigint      NOT NULL,
    at        timestamptz NOT NULL,
    data      jsonb       NOT NULL
);
CREATE INDEX IF NOT EXISTS hue_changes_commune ON hue_changes (commune, position);
CREATE INDEX IF NOT EXISTS hue_changes_at ON hue_changes (at);

CREATE OR REPLACE FUNCTION hue_append_change(p_type text, p_id text, p_commune text, p_version bigint, p_data jsonb)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    appended bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(7240015); -- released at commit: positions become visible in order
    INSERT INTO hue_changes (position, type, entity_id, commune, version, at, data)
    VALUES (nextval('hue_change_position'), p_type, p_id, p_commune, p_version, clock_timestamp(), p_data)
    RETURNING position INTO appended;
    RETURN appended;
END $$;

CREATE OR REPLACE FUNCTION hue_grain_state_to_changes() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r jsonb := NEW.payload->'Row';
    o jsonb := CASE WHEN TG_OP = 'UPDATE' THEN OLD.payload->'Row' END;
BEGIN
    IF r IS NULL OR jsonb_typeof(r) <> 'object' THEN
        RETURN NULL;
    END IF;
    IF o IS NOT NULL AND jsonb_typeof(o) <> 'object' THEN
        o := NULL;
    END IF;
    IF NEW.grain_type IN ('case', 'feedback') THEN
        IF o IS NULL OR o->'Version' IS DISTINCT FROM r->'Version' THEN
            PERFORM hue_append_change(NEW.grain_type, r->>'Id', r->>'Commune', (r->>'Version')::bigint,
                                      r - 'CitizenId' - 'ReporterId');
        END IF;
    ELSIF NEW.grain_type = 'sensor' THEN
        -- Provisioning (where it is, what it measures); its readings are not changes, its alert level is.
        IF o IS NULL OR (o->'Commune', o->'Kind', o->'Latitude', o->'Longitude')
                        IS DISTINCT FROM (r->'Commune', r->'Kind', r->'Latitude', r->'Longitude') THEN
            PERFORM hue_append_change('sensor', r->>'Id', r->>'Commune', (r->>'Version')::bigint, r - 'DeviceKeyHash');
        END IF;
        IF COALESCE((o->>'AlertLevel')::integer, 0) <> (r->>'AlertLevel')::integer THEN
            PERFORM hue_append_change('alert', r->>'Id', r->>'Commune', (r->>'Version')::bigint,
                                      (r - 'DeviceKeyHash') || jsonb_build_object('PreviousAlertLevel', COALESCE((o->>'AlertLevel')::integer, 0)));
        END IF;
    END IF;
    RETURN NULL;
END $$;

-- Named to fire after hue_grain_state_projection (triggers fire in name order): the lock is held the shortest time.
DROP TRIGGER IF EXISTS hue_grain_state_to_changes ON hue_grain_state;
CREATE TRIGGER hue_grain_state_to_changes AFTER INSERT OR UPDATE OF payload ON hue_grain_state
    FOR EACH ROW WHEN (NEW.grain_type IN ('case', 'feedback', 'sensor') AND NEW.payload IS NOT NULL)
    EXECUTE FUNCTION hue_grain_state_to_changes();

-- The newest position retention has deleted among dossier, report, sensor and alert changes: a client resuming from an
-- older cursor has lost changes (it is told so). Indicator changes (commune, city) are snapshots, kept a shorter time.
CREATE TABLE IF NOT EXISTS hue_change_retention
(
    single            boolean PRIMARY KEY DEFAULT true CHECK (single),
    forgotten_through bigint  NOT NULL
);
INSERT INTO hue_change_retention (single, forgotten_through) VALUES (true, 0) ON CONFLICT DO NOTHING;
