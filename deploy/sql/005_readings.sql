-- Reading history: not grain state. Written in batches by each silo's reading journal (binary COPY into a staging
-- table, then INSERT ... ON CONFLICT DO NOTHING, so a repeated (sensor, time) is ignored).
-- Partitioned by kind (LIST) and then by month (RANGE on at), so that retention, which differs per kind, is enforced
-- by dropping whole monthly partitions. Partitions are created ahead by hue_ensure_reading_partition.

CREATE TABLE IF NOT EXISTS hue_readings
(
    kind      smallint         NOT NULL, -- SensorKind, a stable number
    sensor_id text             NOT NULL,
    at        timestamptz      NOT NULL,
    value     double precision NOT NULL,
    PRIMARY KEY (kind, sensor_id, at)
) PARTITION BY LIST (kind);

-- Creates (if missing) the partition of one kind and the monthly partition holding p_month (UTC months).
CREATE OR REPLACE FUNCTION hue_ensure_reading_partition(p_kind smallint, p_month date)
RETURNS void LANGUAGE plpgsql AS
$$
DECLARE
    kind_table  text := format('hue_readings_k%s', p_kind);
    month_start date := date_trunc('month', p_month)::date;
    month_table text := format('hue_readings_k%s_%s', p_kind, to_char(month_start, 'YYYYMM'));
BEGIN
    -- Silos create partitions concurrently: serialise on a transaction-scoped lock.
    PERFORM pg_advisory_xact_lock(hashtext('hue_readings_partitions'));
    IF to_regclass(kind_table) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF hue_readings FOR VALUES IN (%s) PARTITION BY RANGE (at)',
                       kind_table, p_kind);
    END IF;
    IF to_regclass(month_table) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', month_table, kind_table,
                       month_start::timestamp AT TIME ZONE 'UTC',
                       (month_start + interval '1 month')::timestamp AT TIME ZONE 'UTC');
    END IF;
END
$$;
