-- Cluster membership for Orleans.Clustering.AdoNet. "DeploymentId" is the Orleans cluster id.
-- Contract (from the provider): every read returns the table version row, LEFT JOINed with the entries, so that an
-- empty cluster still yields one row; writes succeed only when the caller's table version (etag) is current, and then
-- bump it, atomically with the row change.

CREATE TABLE IF NOT EXISTS hue_membership_version
(
    deployment_id text        NOT NULL PRIMARY KEY,
    version       integer     NOT NULL DEFAULT 0,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS hue_membership
(
    deployment_id text        NOT NULL REFERENCES hue_membership_version (deployment_id),
    address       text        NOT NULL,
    port          integer     NOT NULL,
    generation    integer     NOT NULL,
    silo_name     text        NOT NULL,
    host_name     text        NOT NULL,
    status        integer     NOT NULL,
    proxy_port    integer     NULL,
    suspect_times text        NULL,
    start_time    timestamptz NOT NULL,
    iamalive_time timestamptz NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

-- Inserts a silo's row if the table version is still p_version; false (and no change) otherwise.
CREATE OR REPLACE FUNCTION hue_membership_insert(
    p_deployment text, p_address text, p_port integer, p_generation integer, p_silo_name text, p_host_name text,
    p_status integer, p_proxy_port integer, p_start timestamptz, p_alive timestamptz, p_version integer)
RETURNS boolean LANGUAGE plpgsql AS
$$
BEGIN
    UPDATE hue_membership_version SET version = version + 1, updated_at = now()
     WHERE deployment_id = p_deployment AND version = p_version;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    INSERT INTO hue_membership (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port,
                                start_time, iamalive_time)
    VALUES (p_deployment, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status, p_proxy_port,
            p_start, p_alive)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'HU001'; -- undo the version bump
    END IF;
    RETURN true;
EXCEPTION WHEN SQLSTATE 'HU001' THEN
    RETURN false;
END
$$;

-- Updates a silo's status and suspicions if the table version is still p_version; false (and no change) otherwise.
CREATE OR REPLACE FUNCTION hue_membership_update(
    p_deployment text, p_address text, p_port integer, p_generation integer, p_status integer,
    p_suspect_times text, p_alive timestamptz, p_version integer)
RETURNS boolean LANGUAGE plpgsql AS
$$
BEGIN
    UPDATE hue_membership_version SET version = version + 1, updated_at = now()
     WHERE deployment_id = p_deployment AND version = p_version;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE hue_membership
       SET status = p_status, suspect_times = p_suspect_times, iamalive_time = p_alive
     WHERE deployment_id = p_deployment AND address = p_address AND port = p_port AND generation = p_generation;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'HU001';
    END IF;
    RETURN true;
EXCEPTION WHEN SQLSTATE 'HU001' THEN
    RETURN false;
END
$$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('InsertMembershipVersionKey', $q$
WITH inserted AS (
    INSERT INTO hue_membership_version (deployment_id) VALUES (@DeploymentId)
    ON CONFLICT DO NOTHING RETURNING 1)
SELECT EXISTS (SELECT 1 FROM inserted)
$q$),
('InsertMembershipKey', $q$
SELECT hue_membership_insert(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort,
                             @StartTime, @IAmAliveTime, @Version)
$q$),
('UpdateMembershipKey', $q$
SELECT hue_membership_update(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes, @IAmAliveTime, @Version)
$q$),
('UpdateIAmAlivetimeKey', $q$
UPDATE hue_membership SET iamalive_time = @IAmAliveTime
 WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
$q$),
('MembershipReadAllKey', $q$
SELECT v.version AS "Version", m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
       m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
       m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.iamalive_time AS "IAmAliveTime"
  FROM hue_membership_version v
  LEFT JOIN hue_membership m ON m.deployment_id = v.deployment_id
 WHERE v.deployment_id = @DeploymentId
$q$),
('MembershipReadRowKey', $q$
SELECT v.version AS "Version", m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
       m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
       m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.iamalive_time AS "IAmAliveTime"
  FROM hue_membership_version v
  LEFT JOIN hue_membership m ON m.deployment_id = v.deployment_id
       AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
 WHERE v.deployment_id = @DeploymentId
$q$),
('GatewaysQueryKey', $q$
SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
  FROM hue_membership
 WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0
$q$),
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM hue_membership WHERE deployment_id = @DeploymentId;
DELETE FROM hue_membership_version WHERE deployment_id = @DeploymentId
$q$),
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM hue_membership
 WHERE deployment_id = @DeploymentId AND iamalive_time < @IAmAliveTime AND status = 6
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
