-- The deployment's settings, one row: the time zone every instance uses for
-- "today" and the statistics' days. Stored at first start from EIR_TIMEZONE,
-- changed with `eir timezone`, so instances configured differently still agree.
CREATE TABLE deployment (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    timezone TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
