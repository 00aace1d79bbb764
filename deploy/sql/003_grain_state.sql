-- Grain state for Orleans.Persistence.AdoNet (storage "hue"). Rows are keyed by state name and grain key: every grain
-- class owns a unique state name. The payload is the System.Text.Json document, kept as jsonb so it reads in SQL.
-- Contract: a write names the version (etag) it read, or NULL for a first write; it returns the new version, or NULL
-- when the etag is stale (Orleans then raises InconsistentStateException). A clear works the same way.

CREATE TABLE IF NOT EXISTS hue_grain_state
(
    service_id      text        NOT NULL,
    grain_type      text        NOT NULL,
    grain_id_n0     bigint      NOT NULL,
    grain_id_n1     bigint      NOT NULL,
    grain_id_ext    text        NOT NULL,
    grain_id_hash   integer     NOT NULL,
    grain_type_hash integer     NOT NULL,
    payload         jsonb       NULL,
    version         integer     NOT NULL,
    modified_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_ext)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('ReadFromStorageKey', $q$
SELECT convert_to(payload::text, 'UTF8') AS "PayloadBinary", version AS "Version"
  FROM hue_grain_state
 WHERE service_id = @ServiceId AND grain_type = @GrainTypeString
   AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_id_ext = COALESCE(@GrainIdExtensionString, '')
   AND grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash
$q$),
('WriteToStorageKey', $q$
WITH updated AS (
    UPDATE hue_grain_state
       SET payload = convert_from(@PayloadBinary, 'UTF8')::jsonb, version = version + 1, modified_at = now()
     WHERE service_id = @ServiceId AND grain_type = @GrainTypeString
       AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_id_ext = COALESCE(@GrainIdExtensionString, '')
       AND @GrainStateVersion IS NOT NULL AND version = @GrainStateVersion
    RETURNING version),
inserted AS (
    INSERT INTO hue_grain_state (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_ext, grain_id_hash,
                                 grain_type_hash, payload, version)
    SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, COALESCE(@GrainIdExtensionString, ''), @GrainIdHash,
           @GrainTypeHash, convert_from(@PayloadBinary, 'UTF8')::jsonb, 1
     WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version)
SELECT COALESCE((SELECT version FROM updated), (SELECT version FROM inserted)) AS "NewGrainStateVersion"
$q$),
('ClearStorageKey', $q$
WITH updated AS (
    UPDATE hue_grain_state
       SET payload = NULL, version = version + 1, modified_at = now()
     WHERE service_id = @ServiceId AND grain_type = @GrainTypeString
       AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_id_ext = COALESCE(@GrainIdExtensionString, '')
       AND @GrainStateVersion IS NOT NULL AND version = @GrainStateVersion
    RETURNING version),
inserted AS (
    INSERT INTO hue_grain_state (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_ext, grain_id_hash,
                                 grain_type_hash, payload, version)
    SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, COALESCE(@GrainIdExtensionString, ''), @GrainIdHash,
           @GrainTypeHash, NULL, 1
     WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version)
SELECT COALESCE((SELECT version FROM updated), (SELECT version FROM inserted)) AS "NewGrainStateVersion"
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
