-- Whether a member leaving the server gives up their seats at upcoming events (on by default).
ALTER TABLE event_guild_settings ADD COLUMN release_on_leave INTEGER NOT NULL DEFAULT 1
    CHECK (release_on_leave IN (0, 1));
