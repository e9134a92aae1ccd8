CREATE INDEX lookups_unit_created ON lookups(unit_organization_id, created_at);
CREATE INDEX lookups_district_created ON lookups(incident_district_code, created_at);
CREATE INDEX lookups_incident_stats ON lookups(incident_id, created_at, outcome, opened_registrant_id, crew_result);
CREATE INDEX lookups_unit_incident ON lookups(unit_organization_id, incident_id, created_at, outcome, opened_registrant_id, crew_result);
CREATE INDEX lookups_district_incident ON lookups(incident_district_code, incident_id, created_at, outcome, opened_registrant_id, crew_result);
CREATE INDEX lookups_created_stats ON lookups(created_at, incident_id, incident_district_code, unit_organization_id, outcome, opened_registrant_id, crew_result);
DROP TABLE hit_rollup_state;
DROP TABLE hit_rollup;
