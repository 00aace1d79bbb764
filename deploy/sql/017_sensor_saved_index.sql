-- The index 016's reads use. Building it holds sensor state writes (not reads) for as long as it takes: apply it in a
-- quiet hour.
CREATE INDEX IF NOT EXISTS hue_sensors_commune_saved ON hue_sensors (commune, saved_xid);
