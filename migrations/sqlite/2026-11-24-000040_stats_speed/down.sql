DROP INDEX lookups_unit_incident;
DROP INDEX lookups_district_incident;
DROP INDEX lookups_incident_stats;
