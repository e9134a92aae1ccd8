DROP INDEX lookups_created_stats;
DROP INDEX care_decisions_recorded_kind;
DROP INDEX care_decisions_latest;
DROP INDEX registrants_id_status_org;
DROP INDEX registrants_created;
