-- Indexes that let the hit-rate statistics stream: the lookups are read in
-- (group, incident) order, so grouping per incident and then per group needs no
-- sort over the whole period (SQLite sorts every row for a GROUP BY otherwise).
CREATE INDEX lookups_incident_stats ON lookups(incident_id, created_at, outcome, opened_registrant_id, crew_result);
CREATE INDEX lookups_district_incident ON lookups(incident_district_code, incident_id, created_at, outcome, opened_registrant_id, crew_result);
CREATE INDEX lookups_unit_incident ON lookups(unit_organization_id, incident_id, created_at, outcome, opened_registrant_id, crew_result);
