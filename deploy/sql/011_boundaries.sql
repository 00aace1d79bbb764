-- Commune boundaries and geo queries.
--
-- A boundary is small reference data (40 communes): GeoJSON geometry (Polygon or MultiPolygon, WGS 84) as the API
-- validated and normalised it. Every silo loads all of them into an in-memory index (NetTopologySuite STRtree) and
-- reloads when max(version) moves; the version comes from one sequence, so any change anywhere raises it.
CREATE SEQUENCE IF NOT EXISTS hue_commune_boundary_versions;

CREATE TABLE IF NOT EXISTS hue_commune_boundaries
(
    commune    text        COLLATE "C" PRIMARY KEY,
    geometry   text        NOT NULL,    -- GeoJSON geometry object
    version    bigint      NOT NULL,
    updated_at timestamptz NOT NULL
);

-- Geo queries (near/radius, bbox) on reports and sensors: a latitude range on the btree narrows the rows, the
-- longitude range and the exact great-circle distance below filter the rest.
CREATE INDEX IF NOT EXISTS hue_feedback_position ON hue_feedback (latitude, longitude) WHERE latitude IS NOT NULL;
CREATE INDEX IF NOT EXISTS hue_sensors_position ON hue_sensors (latitude, longitude) WHERE latitude IS NOT NULL;

-- Haversine distance in metres on the mean Earth radius, as GeoDistance.Meters computes it in C#.
CREATE OR REPLACE FUNCTION hue_distance_m(lat1 double precision, lon1 double precision, lat2 double precision, lon2 double precision)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 2 * 6371008.8 * asin(least(1, sqrt(
        sin(radians(lat2 - lat1) / 2) ^ 2 + cos(radians(lat1)) * cos(radians(lat2)) * sin(radians(lon2 - lon1) / 2) ^ 2)))
$$;
