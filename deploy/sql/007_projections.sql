-- Projections: every dossier, report and sensor is also a row SQL can filter, and every commune has compact totals of
-- its closed dossiers and reports. Both are derived by the database from the grain-state row, in the same transaction
-- as the state write: the entity's state carries its projection as the JSON object "Row" (computed by the grain's state
-- class, so the mapping lives in one place, in C#), these triggers copy it, and a failing copy fails the grain's write.
--
-- Totals are kept per commune, entity and local day of closing (Asia/Ho_Chi_Minh), so all-time counts and rolling
-- windows (90 days) are sums over small rows; resolve times of reports are a histogram of quarter hours.
-- Everything here can be rebuilt from hue_grain_state (see hue_rebuild_projections()).

CREATE TABLE IF NOT EXISTS hue_cases
(
    id           text        COLLATE "C" PRIMARY KEY,
    version      bigint      NOT NULL,
    commune      text        NOT NULL,
    procedure    text        NOT NULL,
    citizen_id   text        NOT NULL,
    status       smallint    NOT NULL,
    is_open      boolean     NOT NULL,
    paused       boolean     NOT NULL,   -- a supplement is awaited: the statutory clock stops, never overdue
    overdue      boolean     NOT NULL,   -- marked by the dossier's deadline reminder
    filed_at     timestamptz NOT NULL,
    due_at       timestamptz NOT NULL,
    completed_at timestamptz NULL,       -- returned or refused
    closed_at    timestamptz NULL,       -- any final state (cancelled too)
    completed    boolean     NOT NULL,
    on_time      boolean     NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS hue_cases_commune_filed ON hue_cases (commune, filed_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS hue_cases_commune_status ON hue_cases (commune, status, filed_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS hue_cases_open ON hue_cases (commune, filed_at DESC, id DESC) WHERE is_open;
CREATE INDEX IF NOT EXISTS hue_cases_citizen ON hue_cases (citizen_id, filed_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS hue_cases_filed ON hue_cases (filed_at);

CREATE TABLE IF NOT EXISTS hue_feedback
(
    id           text        COLLATE "C" PRIMARY KEY,
    version      bigint      NOT NULL,
    commune      text        NULL,       -- NULL while a position-only report waits to be routed
    category     smallint    NOT NULL,
    reporter_id  text        NULL,       -- confidential: only for the reporter's own list, never shown
    status       smallint    NOT NULL,
    is_open      boolean     NOT NULL,
    overdue      boolean     NOT NULL,
    submitted_at timestamptz NOT NULL,
    due_at       timestamptz NOT NULL,
    resolved_at  timestamptz NULL,
    rating       smallint    NULL,
    updated_at   timestamptz NOT NULL,
    description  text        NOT NULL,
    address      text        NULL,
    latitude     double precision NULL,
    longitude    double precision NULL,
    answer       text        NULL,
    photo_url    text        NULL
);
CREATE INDEX IF NOT EXISTS hue_feedback_commune_submitted ON hue_feedback (commune, submitted_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS hue_feedback_commune_category ON hue_feedback (commune, category, submitted_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS hue_feedback_open ON hue_feedback (commune, submitted_at DESC, id DESC) WHERE is_open;
CREATE INDEX IF NOT EXISTS hue_feedback_submitted ON hue_feedback (submitted_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS hue_feedback_reporter ON hue_feedback (reporter_id, submitted_at DESC, id DESC) WHERE reporter_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS hue_feedback_unrouted ON hue_feedback (submitted_at DESC, id DESC) WHERE commune IS NULL;

CREATE TABLE IF NOT EXISTS hue_sensors
(
    id          text        COLLATE "C" PRIMARY KEY,
    version     bigint      NOT NULL,
    commune     text        NOT NULL,
    kind        smallint    NOT NULL,
    alert_level integer     NOT NULL,
    last_seen   timestamptz NULL,        -- as of the sensor's last state write (it saves its live summary periodically)
    latitude    double precision NULL,
    longitude   double precision NULL,
    snapshot    jsonb       NOT NULL     -- what its commune needs to count it (SensorSnapshot)
);
CREATE INDEX IF NOT EXISTS hue_sensors_commune ON hue_sensors (commune, kind);

CREATE TABLE IF NOT EXISTS hue_closed_totals
(
    commune   text     NOT NULL,
    entity    text     NOT NULL,         -- 'case' or 'feedback'
    day       date     NOT NULL,         -- local day the item closed
    closed    integer  NOT NULL DEFAULT 0,
    completed integer  NOT NULL DEFAULT 0,   -- dossiers returned or refused
    on_time   integer  NOT NULL DEFAULT 0,   -- of those, by their due time
    rated     integer  NOT NULL DEFAULT 0,   -- reports rated by their reporter
    satisfied integer  NOT NULL DEFAULT 0,   -- rated 4 or 5
    PRIMARY KEY (commune, entity, day)
);

CREATE TABLE IF NOT EXISTS hue_resolve_times
(
    commune      text    NOT NULL,
    quarter_hour integer NOT NULL,       -- how long a closed report took to be answered, in quarter hours
    reports      integer NOT NULL DEFAULT 0,
    PRIMARY KEY (commune, quarter_hour)
);

CREATE OR REPLACE FUNCTION hue_local_day(at timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE AS $$ SELECT (at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date $$;

-- Adds (sign = 1) or removes (sign = -1) what one closed item contributes to its commune's totals.
CREATE OR REPLACE FUNCTION hue_add_totals(p_commune text, p_entity text, p_day date, p_sign integer,
    p_completed boolean, p_on_time boolean, p_rating smallint, p_quarter_hour integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF p_commune IS NULL THEN RETURN; END IF;
    INSERT INTO hue_closed_totals AS t (commune, entity, day, closed, completed, on_time, rated, satisfied)
    VALUES (p_commune, p_entity, p_day, p_sign, p_sign * p_completed::int, p_sign * p_on_time::int,
            p_sign * (p_rating IS NOT NULL)::int, p_sign * COALESCE(p_rating >= 4, false)::int)
    ON CONFLICT (commune, entity, day) DO UPDATE SET
        closed = t.closed + EXCLUDED.closed, completed = t.completed + EXCLUDED.completed,
        on_time = t.on_time + EXCLUDED.on_time, rated = t.rated + EXCLUDED.rated, satisfied = t.satisfied + EXCLUDED.satisfied;
    IF p_quarter_hour IS NOT NULL THEN
        INSERT INTO hue_resolve_times AS r (commune, quarter_hour, reports) VALUES (p_commune, p_quarter_hour, p_sign)
        ON CONFLICT (commune, quarter_hour) DO UPDATE SET reports = r.reports + EXCLUDED.reports;
    END IF;
END $$;

CREATE OR REPLACE FUNCTION hue_case_totals() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.is_open AND NEW.is_open THEN RETURN NULL; END IF; -- the common case: nothing closed
    IF TG_OP IN ('UPDATE', 'DELETE') AND NOT OLD.is_open THEN
        PERFORM hue_add_totals(OLD.commune, 'case', hue_local_day(OLD.closed_at), -1, OLD.completed, OLD.on_time, NULL, NULL);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NOT NEW.is_open THEN
        PERFORM hue_add_totals(NEW.commune, 'case', hue_local_day(NEW.closed_at), 1, NEW.completed, NEW.on_time, NULL, NULL);
    END IF;
    RETURN NULL;
END $$;

-- The quarter hour a closed report's answer fell in, counted from its submission (as ResolveTimes does in C#).
CREATE OR REPLACE FUNCTION hue_quarter_hour(submitted_at timestamptz, resolved_at timestamptz) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN resolved_at IS NULL THEN NULL
                ELSE GREATEST(0, floor(extract(epoch FROM resolved_at - submitted_at) / 900))::integer END
$$;

CREATE OR REPLACE FUNCTION hue_feedback_totals() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.is_open AND NEW.is_open THEN RETURN NULL; END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND NOT OLD.is_open THEN
        PERFORM hue_add_totals(OLD.commune, 'feedback', hue_local_day(COALESCE(OLD.resolved_at, OLD.updated_at)), -1,
            false, false, OLD.rating, hue_quarter_hour(OLD.submitted_at, OLD.resolved_at));
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NOT NEW.is_open THEN
        PERFORM hue_add_totals(NEW.commune, 'feedback', hue_local_day(COALESCE(NEW.resolved_at, NEW.updated_at)), 1,
            false, false, NEW.rating, hue_quarter_hour(NEW.submitted_at, NEW.resolved_at));
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS hue_cases_totals ON hue_cases;
CREATE TRIGGER hue_cases_totals AFTER INSERT OR UPDATE OR DELETE ON hue_cases FOR EACH ROW EXECUTE FUNCTION hue_case_totals();
DROP TRIGGER IF EXISTS hue_feedback_totals ON hue_feedback;
CREATE TRIGGER hue_feedback_totals AFTER INSERT OR UPDATE OR DELETE ON hue_feedback FOR EACH ROW EXECUTE FUNCTION hue_feedback_totals();

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
        INSERT INTO hue_sensors AS s (id, version, commune, kind, alert_level, last_seen, latitude, longitude, snapshot)
        VALUES (r->>'Id', (r->>'Version')::bigint, r->>'Commune', (r->>'Kind')::smallint, (r->>'AlertLevel')::integer,
                (r->>'LastSeen')::timestamptz, (r->>'Latitude')::double precision, (r->>'Longitude')::double precision,
                r->'Snapshot')
        ON CONFLICT (id) DO UPDATE SET
            version = EXCLUDED.version, commune = EXCLUDED.commune, kind = EXCLUDED.kind,
            alert_level = EXCLUDED.alert_level, last_seen = EXCLUDED.last_seen, latitude = EXCLUDED.latitude,
            longitude = EXCLUDED.longitude, snapshot = EXCLUDED.snapshot;
    END IF;
END $$;

CREATE OR REPLACE FUNCTION hue_grain_state_projection() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.payload ? 'Row' AND jsonb_typeof(NEW.payload->'Row') = 'object' THEN
        PERFORM hue_project(NEW.grain_type, NEW.payload->'Row');
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS hue_grain_state_projection ON hue_grain_state;
CREATE TRIGGER hue_grain_state_projection AFTER INSERT OR UPDATE OF payload ON hue_grain_state
    FOR EACH ROW WHEN (NEW.grain_type IN ('case', 'feedback', 'sensor') AND NEW.payload IS NOT NULL)
    EXECUTE FUNCTION hue_grain_state_projection();

-- Rebuilds every projection and total from the grain states (after a restore, or to check them).
CREATE OR REPLACE FUNCTION hue_rebuild_projections() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE hue_cases, hue_feedback, hue_sensors, hue_closed_totals, hue_resolve_times;
    PERFORM hue_project(grain_type, payload->'Row')
       FROM hue_grain_state
      WHERE grain_type IN ('case', 'feedback', 'sensor') AND payload ? 'Row' AND jsonb_typeof(payload->'Row') = 'object';
END $$;
