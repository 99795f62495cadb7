-- Urdu for members who prefer it (issue 16, bot/languages.py): the server's default
-- language, and each member's own choice in that server (their choice beats the default).
ALTER TABLE guilds ADD COLUMN language TEXT NOT NULL DEFAULT 'en'
    CHECK (language IN ('en', 'ur'));

CREATE TABLE member_languages (
    guild_id  INTEGER NOT NULL REFERENCES guilds(guild_id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL,
    language  TEXT    NOT NULL CHECK (language IN ('en', 'ur')),
    PRIMARY KEY (guild_id, user_id)
);
