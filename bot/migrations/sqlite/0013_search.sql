-- Nothing changes here: PostgreSQL's migration 0013 makes its resource search read words
-- as this store's FTS5 index already does (bot/migrations/postgres/0013_search.sql). The
-- file keeps both folders numbered alike.
SELECT 1;
