-- Revoking signed web links (issue 15, bot/web/links.py): a link carries the generation
-- of its (guild, purpose, key) when it was made; revoking bumps the number, so every
-- older link of that key stops working. A missing row is generation 0. A key naming a
-- member is their id as text, so /privacy export and delete find it (bot/privacy.py).
CREATE TABLE link_generations (
    guild_id    BIGINT NOT NULL REFERENCES guilds(guild_id) ON DELETE CASCADE,
    purpose     TEXT    NOT NULL CHECK (length(purpose) BETWEEN 1 AND 40),
    link_key    TEXT    NOT NULL CHECK (length(link_key) BETWEEN 1 AND 100),
    generation  BIGINT NOT NULL CHECK (generation >= 1),
    revoked_at  BIGINT NOT NULL,
    PRIMARY KEY (guild_id, purpose, link_key)
);
