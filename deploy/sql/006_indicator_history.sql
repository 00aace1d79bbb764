-- Indicator history: every minute, the City grain snapshots its indicators and each commune's (for history charts
-- and open data). One row per scope ('hue' or a commune code) and minute; the sample is the IndicatorSample as JSON.
CREATE TABLE IF NOT EXISTS hue_indicator_history
(
    scope  text        NOT NULL,
    at     timestamptz NOT NULL,
    sample jsonb       NOT NULL,
    PRIMARY KEY (scope, at)
);

CREATE INDEX IF NOT EXISTS hue_indicator_history_at ON hue_indicator_history (at);
