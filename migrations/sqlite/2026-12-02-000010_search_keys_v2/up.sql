-- Crew search v2 (address, one kana wrong, mixed scripts) and name-frequency
-- weights. How many active registrants have each name value (family/given
-- reading and name, see src/matching/keys.rs::name_values) and, under the
-- value 't:', how many active registrants there are: kept in the same
-- transaction as every rewrite of a registrant's search keys.
CREATE TABLE name_counts (
    value TEXT PRIMARY KEY,
    n BIGINT NOT NULL
);

-- Which generation of search keys registrant_keys holds. When it is not the
-- one the binary builds (src/db/name_counts.rs), the keys and the counts are
-- rebuilt from the registrants at start.
CREATE TABLE search_index_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
