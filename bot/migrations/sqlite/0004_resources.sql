-- AI-learning resources: per-guild topics, the curated library with full-text search,
-- members' progress, scheduled autoposts and RSS/Atom feeds (see bot/resources/).

-- One row per guild that has used the feature; its creation seeds the default topics.
CREATE TABLE resource_settings (
    guild_id              INTEGER PRIMARY KEY,
    feed_interval_minutes INTEGER NOT NULL DEFAULT 30 CHECK (feed_interval_minutes >= 10),
    created_at            INTEGER NOT NULL DEFAULT (unixepoch())
);

CREATE TABLE resource_topics (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    name_key   TEXT    NOT NULL,          -- casefolded: topics match case-insensitively
    is_default INTEGER NOT NULL DEFAULT 0,-- from the default taxonomy (listed first, in order)
    created_by INTEGER,
    created_at INTEGER NOT NULL DEFAULT (unixepoch()),
    UNIQUE (guild_id, name_key)
);

-- The library. Suggestions wait here as 'pending' (topic and level chosen at review);
-- rejected rows stay so the same link is not suggested again and again.
CREATE TABLE resources (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    url           TEXT    NOT NULL,       -- as given (shown)
    url_canonical TEXT    NOT NULL,       -- normalised (dedupe)
    title         TEXT    NOT NULL,
    description   TEXT    NOT NULL DEFAULT '',
    topic         TEXT,                   -- a resource_topics.name of the guild
    level         TEXT    CHECK (level IN ('beginner', 'intermediate', 'advanced')),
    status        TEXT    NOT NULL DEFAULT 'approved'
                  CHECK (status IN ('approved', 'pending', 'rejected')),
    suggested_by  INTEGER,
    added_by      INTEGER,
    note          TEXT,
    created_at    INTEGER NOT NULL,
    reviewed_by   INTEGER,
    reviewed_at   INTEGER,
    approved_at   INTEGER,                -- when it entered the library (list order)
    -- What the full-text index reads: the text with `~` blanked out, because `~` is
    -- reserved for the filter tokens below.
    fts_title       TEXT GENERATED ALWAYS AS (replace(title, '~', ' ')) VIRTUAL,
    fts_description TEXT GENERATED ALWAYS AS (replace(description, '~', ' ')) VIRTUAL,
    fts_topic       TEXT GENERATED ALWAYS AS (replace(coalesce(topic, ''), '~', ' ')) VIRTUAL,
    -- Filter tokens for the full-text index, one per filter combination of an approved
    -- resource: ~g<guild>, ~g<guild>t<topic hex>, ~g<guild>l<level>, ~g<guild>t<hex>l<level>.
    -- `~` is a token character only here: no word a member types can match these.
    scope           TEXT GENERATED ALWAYS AS (
                      CASE WHEN status = 'approved' THEN
                          '~g' || guild_id
                          || ' ~g' || guild_id || 't' || hex(lower(coalesce(topic, '')))
                          || ' ~g' || guild_id || 'l' || coalesce(level, '')
                          || ' ~g' || guild_id || 't' || hex(lower(coalesce(topic, '')))
                          || 'l' || coalesce(level, '')
                      ELSE '' END
                  ) VIRTUAL,
    CHECK (status <> 'approved'
           OR (topic IS NOT NULL AND level IS NOT NULL AND approved_at IS NOT NULL)),
    UNIQUE (guild_id, url_canonical)
);
CREATE INDEX resources_library ON resources(guild_id, status, approved_at DESC, id DESC);
CREATE INDEX resources_by_topic ON resources(guild_id, status, topic, level);

-- Full-text index over the library (external content: the text lives once, in resources).
-- Prefix indexes of 2 to 4 characters keep `term*` queries fast. `scope` holds filter
-- tokens only (bm25 weight 0); member words are matched in the other three columns.
CREATE VIRTUAL TABLE resources_fts USING fts5(
    fts_title, fts_description, fts_topic, scope,
    content = 'resources', content_rowid = 'id',
    tokenize = "unicode61 remove_diacritics 2 tokenchars '~'",
    prefix = '2 3 4'
);
CREATE TRIGGER resources_fts_insert AFTER INSERT ON resources BEGIN
    INSERT INTO resources_fts(rowid, fts_title, fts_description, fts_topic, scope)
    VALUES (new.id, new.fts_title, new.fts_description, new.fts_topic, new.scope);
END;
CREATE TRIGGER resources_fts_delete AFTER DELETE ON resources BEGIN
    INSERT INTO resources_fts(resources_fts, rowid, fts_title, fts_description, fts_topic, scope)
    VALUES ('delete', old.id, old.fts_title, old.fts_description, old.fts_topic, old.scope);
END;
CREATE TRIGGER resources_fts_update
AFTER UPDATE OF guild_id, title, description, topic, level, status ON resources BEGIN
    INSERT INTO resources_fts(resources_fts, rowid, fts_title, fts_description, fts_topic, scope)
    VALUES ('delete', old.id, old.fts_title, old.fts_description, old.fts_topic, old.scope);
    INSERT INTO resources_fts(rowid, fts_title, fts_description, fts_topic, scope)
    VALUES (new.id, new.fts_title, new.fts_description, new.fts_topic, new.scope);
END;

-- What each member has worked through.
CREATE TABLE resource_progress (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    resource_id INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    done_at     INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id, resource_id)
);
CREATE INDEX resource_progress_resource ON resource_progress(resource_id);

-- One schedule per channel. next_due_at is the ledger: the tick owed next (epoch);
-- a tick sets last_tick_at to the tick it served in the same transaction as the post
-- it enqueues, so a restart neither skips nor repeats one.
CREATE TABLE resource_autoposts (
    id                INTEGER PRIMARY KEY,
    guild_id          INTEGER NOT NULL,
    channel_id        INTEGER NOT NULL,
    schedule          TEXT    NOT NULL,   -- bot.schedules normalised text
    topic             TEXT,               -- only this topic, or any
    paused            INTEGER NOT NULL DEFAULT 0,
    failures          INTEGER NOT NULL DEFAULT 0,  -- failed deliveries in a row
    last_error        TEXT,
    created_by        INTEGER,
    created_at        INTEGER NOT NULL,
    next_due_at       INTEGER,
    last_tick_at      INTEGER,
    checked_outbox_id INTEGER NOT NULL DEFAULT 0,  -- delivery results read up to this outbox id
    UNIQUE (guild_id, channel_id)
);

-- What was posted where, for the rotation (kept per channel, across schedule replacements).
CREATE TABLE resource_autopost_log (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    channel_id  INTEGER NOT NULL,
    autopost_id INTEGER NOT NULL,
    resource_id INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    tick_at     INTEGER NOT NULL,
    posted_at   INTEGER NOT NULL
);
CREATE INDEX resource_autopost_log_channel
    ON resource_autopost_log(guild_id, channel_id, resource_id, posted_at);
CREATE INDEX resource_autopost_log_resource ON resource_autopost_log(resource_id);

CREATE TABLE resource_feeds (
    id             INTEGER PRIMARY KEY,
    guild_id       INTEGER NOT NULL,
    url            TEXT    NOT NULL,
    url_canonical  TEXT    NOT NULL,
    channel_id     INTEGER NOT NULL,
    topic          TEXT,
    title          TEXT,                  -- the feed's own title, for lists
    etag           TEXT,
    last_modified  TEXT,
    status         TEXT    NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'failing', 'disabled')),
    failures       INTEGER NOT NULL DEFAULT 0,  -- failed polls in a row
    failing_since  INTEGER,
    last_error     TEXT,
    next_poll_at   INTEGER NOT NULL,
    last_polled_at INTEGER,
    last_ok_at     INTEGER,
    created_by     INTEGER,
    created_at     INTEGER NOT NULL,
    UNIQUE (guild_id, url_canonical, channel_id)
);
CREATE INDEX resource_feeds_due ON resource_feeds(next_poll_at) WHERE status <> 'disabled';

-- Entries seen per feed; posted_at NULL = recorded without posting (first fetch, over the cap).
CREATE TABLE resource_feed_entries (
    id            INTEGER PRIMARY KEY,
    feed_id       INTEGER NOT NULL REFERENCES resource_feeds(id) ON DELETE CASCADE,
    entry_key     TEXT    NOT NULL,       -- the entry's id, else its canonical link
    first_seen_at INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    posted_at     INTEGER,
    UNIQUE (feed_id, entry_key)
);
