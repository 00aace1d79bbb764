-- Reports' photos (issue 17): re-encoded JPEG (no metadata) and a thumbnail, as bytea. A report's grain state keeps
-- only their ids, sizes and hidden flags (at most 5); the bytes live here, read by (feedback_id, photo_id).
-- Already-compressed bytes: stored out of line without another compression attempt.
CREATE TABLE IF NOT EXISTS hue_feedback_photos
(
    feedback_id    text        COLLATE "C" NOT NULL,
    photo_id       text        COLLATE "C" NOT NULL,
    added_at       timestamptz NOT NULL,
    width          integer     NOT NULL,
    height         integer     NOT NULL,
    image          bytea       NOT NULL,
    image_etag     text        NOT NULL,
    thumbnail      bytea       NOT NULL,
    thumbnail_etag text        NOT NULL,
    hidden         boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (feedback_id, photo_id)
);
ALTER TABLE hue_feedback_photos ALTER COLUMN image SET STORAGE EXTERNAL;
ALTER TABLE hue_feedback_photos ALTER COLUMN thumbnail SET STORAGE EXTERNAL;

-- Possible duplicates on submission: open reports of one category, recent, near a point. The partial index serves the
-- (category, recent, open) part; a bounding box on latitude/longitude and hue_distance_m finish it.
CREATE INDEX IF NOT EXISTS hue_feedback_open_category_submitted ON hue_feedback (category, submitted_at DESC)
    WHERE is_open AND latitude IS NOT NULL AND longitude IS NOT NULL;

-- The exact distance is hue_distance_m (deploy/sql/011_boundaries.sql).
