-- Trust II: an organizer-only channel for the bot's notices to organizers, and the
-- curator role (members who may add resources without review).
ALTER TABLE guilds ADD COLUMN organizer_channel_id INTEGER;
ALTER TABLE guilds ADD COLUMN curator_role_id INTEGER;

-- Notices for organizers (a struggling mentorship, a disabled feed, a failed
-- announcement…) written while no organizer channel is set. They wait here, never in
-- a public channel; setting the channel moves them to the outbox in one transaction.
CREATE TABLE organizer_notices (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    text       TEXT    NOT NULL,
    dedupe_key TEXT    UNIQUE,
    created_at INTEGER NOT NULL
);
CREATE INDEX organizer_notices_guild ON organizer_notices(guild_id, id);
