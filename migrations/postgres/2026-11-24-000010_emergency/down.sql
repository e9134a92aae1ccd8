DROP INDEX lookups_user_created;
