-- Every read of a citizen's personal data by someone other than the citizen: a legal record, kept whole. Rows are
-- appended and never changed; the trigger below refuses updates and deletes. Read newest first per citizen.

CREATE TABLE IF NOT EXISTS hue_personal_data_reads
(
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    citizen_id     text        NOT NULL,
    at             timestamptz NOT NULL,
    reader_role    text        NOT NULL,
    reader_commune text        NULL,
    reader_account text        NULL,
    purpose        text        NOT NULL,
    case_id        text        NULL
);
CREATE INDEX IF NOT EXISTS hue_personal_data_reads_citizen ON hue_personal_data_reads (citizen_id, at DESC, id DESC);

CREATE OR REPLACE FUNCTION hue_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;

DROP TRIGGER IF EXISTS hue_personal_data_reads_append_only ON hue_personal_data_reads;
CREATE TRIGGER hue_personal_data_reads_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON hue_personal_data_reads
    FOR EACH STATEMENT EXECUTE FUNCTION hue_append_only();
