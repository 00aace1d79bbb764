-- The table the Orleans ADO.NET providers read their statements from (SELECT QueryKey, QueryText FROM OrleansQuery).
-- Each later script registers the statements of one provider with INSERT ... ON CONFLICT, so re-running is harmless.
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);
