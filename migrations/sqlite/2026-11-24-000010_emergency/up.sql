CREATE INDEX lookups_user_created ON lookups(user_id, created_at);
