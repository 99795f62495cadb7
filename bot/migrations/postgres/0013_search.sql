-- Resource search read the way SQLite's FTS5 index reads it (bot/resources/search.py), so
-- both stores find and rank the same resources:
-- * words are runs of letters and digits: punctuation is blanked before PostgreSQL's
--   parser sees the text (it would otherwise keep `fast.ai`, `walk-through` or `3.12`
--   whole, and add their parts as extra words);
-- * diacritics fold (FTS5's remove_diacritics 2) through the `unaccent` dictionary when
--   the server has it (Debian and the official images ship it with the server); without
--   it the migration still applies and `naive` does not find `naïve`;
-- * `search_tokens` is the row's length in words, which bm25 needs for every row of the
--   library (FTS5 keeps these sizes in its index).
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS unaccent;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'no unaccent extension (%): resource search will not fold diacritics', SQLERRM;
END $$;

CREATE TEXT SEARCH CONFIGURATION resource_search (COPY = simple);
DO $$
DECLARE
    dictionary TEXT;
BEGIN
    SELECT format('%I.%I', n.nspname, d.dictname) INTO dictionary
        FROM pg_ts_dict d JOIN pg_namespace n ON n.oid = d.dictnamespace
        WHERE d.dictname = 'unaccent' LIMIT 1;
    IF dictionary IS NOT NULL THEN
        EXECUTE format(
            'ALTER TEXT SEARCH CONFIGURATION resource_search ALTER MAPPING FOR asciiword,'
            ' word, numword, asciihword, hword, numhword, hword_asciipart, hword_part,'
            ' hword_numpart WITH %s, simple', dictionary);
    END IF;
END $$;

-- The number of words (positions) in a tsvector; built-ins only, so it reads the same
-- whatever the search_path (a restore runs with an empty one).
CREATE FUNCTION resource_search_tokens(vector TSVECTOR) RETURNS INTEGER
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT COALESCE(SUM(cardinality(positions)), 0)::INTEGER FROM unnest(vector) $$;

DROP INDEX resources_search;
ALTER TABLE resources DROP COLUMN search;
-- Title (A) above topic (B) above description (C), as FTS5's bm25 weights them.
ALTER TABLE resources ADD COLUMN search TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector('resource_search',
                          regexp_replace(title, '[[:punct:]]', ' ', 'g')), 'A')
    || setweight(to_tsvector('resource_search',
                             regexp_replace(coalesce(topic, ''), '[[:punct:]]', ' ', 'g')), 'B')
    || setweight(to_tsvector('resource_search',
                             regexp_replace(description, '[[:punct:]]', ' ', 'g')), 'C')
) STORED;
ALTER TABLE resources ADD COLUMN search_tokens INTEGER GENERATED ALWAYS AS (
    resource_search_tokens(
        to_tsvector('resource_search', regexp_replace(title, '[[:punct:]]', ' ', 'g'))
        || to_tsvector('resource_search',
                       regexp_replace(coalesce(topic, ''), '[[:punct:]]', ' ', 'g'))
        || to_tsvector('resource_search', regexp_replace(description, '[[:punct:]]', ' ', 'g'))
    )
) STORED;
CREATE INDEX resources_search ON resources USING GIN (search) WHERE status = 'approved';
-- The library's size in rows and words (bm25's average length), read from the index alone.
CREATE INDEX resources_search_stats ON resources (guild_id, status) INCLUDE (search_tokens);
