-- The hit-rate roll-up (src/stats/rollup.rs): per local day, group (the whole
-- city, an incident district, a unit) and previous day of the same incident in
-- that group, the counts the hit-rate statistics sum. Kept up to date with every
-- lookup write; built from the lookups at start when hit_rollup_state does not
-- name the configured time zone's offset.
CREATE TABLE hit_rollup (
    dim TEXT NOT NULL,
    day TEXT NOT NULL,
    group_key TEXT NOT NULL,
    prev_day TEXT NOT NULL,
    prev_opened_day TEXT NOT NULL,
    incidents BIGINT NOT NULL,
    incidents_opened BIGINT NOT NULL,
    searches BIGINT NOT NULL,
    outcome_match BIGINT NOT NULL,
    outcome_candidates BIGINT NOT NULL,
    outcome_no_match BIGINT NOT NULL,
    searches_opened BIGINT NOT NULL,
    result_confirmed BIGINT NOT NULL,
    result_wrong_person BIGINT NOT NULL,
    result_not_registered BIGINT NOT NULL,
    PRIMARY KEY (dim, day, group_key, prev_day, prev_opened_day)
);

CREATE TABLE hit_rollup_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    offset_secs INTEGER NOT NULL
);

-- The statistics no longer read the lookups: drop the indexes that served them,
-- so that every crew search writes four index entries instead of ten.
DROP INDEX lookups_created_stats;
DROP INDEX lookups_district_incident;
DROP INDEX lookups_unit_incident;
DROP INDEX lookups_incident_stats;
DROP INDEX lookups_district_created;
DROP INDEX lookups_unit_created;
