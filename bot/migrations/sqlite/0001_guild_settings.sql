-- Guild-wide settings and the guild's cities (every guild starts with Islamabad and Lahore).
CREATE TABLE guilds (
    guild_id                 INTEGER PRIMARY KEY,
    timezone                 TEXT    NOT NULL DEFAULT 'Asia/Karachi',
    organizer_role_id        INTEGER,
    announcements_channel_id INTEGER,
    created_at               INTEGER NOT NULL DEFAULT (unixepoch())
);

CREATE TABLE cities (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL REFERENCES guilds(guild_id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    name_key   TEXT    NOT NULL,          -- casefolded name: cities match case-insensitively
    channel_id INTEGER,
    role_id    INTEGER,
    UNIQUE (guild_id, name_key)
);
