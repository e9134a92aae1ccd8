DROP TABLE search_index_state;
DROP TABLE name_counts;
