-- Which transaction last wrote each sensor's projection row, so a commune's periodic reconcile reads only the sensors
-- saved since its last one instead of all of them: at a million sensors the full reload was 100,000 rows and snapshots
-- a second, for a repair that rarely finds anything. A read remembers the oldest transaction its snapshot could not see
-- (pg_snapshot_xmin); every row it missed was written by that transaction or a later one, so the next read asks for
-- saved_xid >= it: no clock, no overlap. Communes still reload everything on activation and every
-- Hue:Communes:FullReconcileMinutes. Rows written before this migration have 0 and are read by those full reloads.
-- The column has a constant default (no table rewrite); its index is 017, outside this script's table lock.

ALTER TABLE hue_sensors ADD COLUMN IF NOT EXISTS saved_xid xid8 NOT NULL DEFAULT '0';

CREATE OR REPLACE FUNCTION hue_sensors_saved_xid() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.saved_xid := pg_current_xact_id();
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS hue_sensors_saved_xid ON hue_sensors;
CREATE TRIGGER hue_sensors_saved_xid BEFORE INSERT OR UPDATE ON hue_sensors
    FOR EACH ROW EXECUTE FUNCTION hue_sensors_saved_xid();
