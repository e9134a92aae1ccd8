-- Indexes for the statistics endpoints (/stats/*): range scans by creation time
-- and covering indexes, so that aggregation reads compact index entries instead of
-- whole rows (registrants and lookups carry large text columns).
CREATE INDEX registrants_created ON registrants(created_at);
CREATE INDEX registrants_id_status_org ON registrants(id, status, managing_organization_id);
CREATE INDEX care_decisions_latest ON care_decisions(registrant_id, seq, discussed_on, review_due, shared_with_family);
CREATE INDEX care_decisions_recorded_kind ON care_decisions(recorded_at, kind, recorded_by, organization_id);
CREATE INDEX lookups_created_stats ON lookups(created_at, incident_id, incident_district_code, unit_organization_id, outcome, opened_registrant_id, crew_result);
