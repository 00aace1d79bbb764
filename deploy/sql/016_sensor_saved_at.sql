-- When each sensor's projection row was last written (the writing transaction's start, the database's clock), so a
-- commune's periodic reconcile reads only the sensors saved since its last one instead of all of them: at a million
-- sensors the full reload was 100,000 rows and snapshots a second, for a repair that rarely finds anything. Communes
-- still reload everything on activation and now and then (Hue:Communes:FullReconcileMinutes).
-- Building the index holds sensor state writes for as long as it takes: apply it in a quiet hour.

ALTER TABLE hue_sensors ADD COLUMN IF NOT EXISTS saved_at timestamptz NOT NULL DEFAULT now();

CREATE OR REPLACE FUNCTION hue_sensors_saved_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.saved_at := now();
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS hue_sensors_saved_at ON hue_sensors;
CREATE TRIGGER hue_sensors_saved_at BEFORE INSERT OR UPDATE ON hue_sensors
    FOR EACH ROW EXECUTE FUNCTION hue_sensors_saved_at();

CREATE INDEX IF NOT EXISTS hue_sensors_commune_saved ON hue_sensors (commune, saved_at);
