-- Events, RSVPs (seats and waitlist), reminders, and the members' and guilds' event settings.
-- Every time is epoch seconds, UTC.
CREATE TABLE events (
    id                 INTEGER PRIMARY KEY,
    guild_id           INTEGER NOT NULL REFERENCES guilds(guild_id) ON DELETE CASCADE,
    title              TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    city               TEXT    NOT NULL,          -- the city's canonical name when created
    venue              TEXT    CHECK (venue IS NULL OR length(venue) <= 200),
    description        TEXT    CHECK (description IS NULL OR length(description) <= 2000),
    starts_at          INTEGER NOT NULL,
    ends_at            INTEGER NOT NULL,
    capacity           INTEGER CHECK (capacity IS NULL OR capacity BETWEEN 1 AND 100000),
    channel_id         INTEGER,                   -- where the announcement is (reminder posts too)
    message_id         INTEGER,                   -- the announcement message
    role_id            INTEGER,                   -- granted to everyone going
    organizer_id       INTEGER NOT NULL,
    status             TEXT    NOT NULL DEFAULT 'scheduled'
                       CHECK (status IN ('scheduled', 'cancelled')),
    cancel_reason      TEXT,
    scheduled_event_id INTEGER,                   -- Discord's native scheduled event, if made
    sequence           INTEGER NOT NULL DEFAULT 0, -- bumped on each change (iCalendar SEQUENCE)
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX events_guild_starts ON events(guild_id, starts_at);
CREATE INDEX events_message ON events(message_id) WHERE message_id IS NOT NULL;

-- One row per member per event. seq is the global click order: seats and the waitlist
-- are both ordered by it, so "first come, first served" is one ORDER BY.
CREATE TABLE rsvps (
    event_id   INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    status     TEXT    NOT NULL CHECK (status IN ('going', 'waitlist')),
    seq        INTEGER NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (event_id, user_id)
) WITHOUT ROWID;
-- Counting the going, ranking a seat and ordering the waitlist all use this one index.
CREATE INDEX rsvps_event_status_seq ON rsvps(event_id, status, seq);
CREATE INDEX rsvps_user ON rsvps(user_id);

-- The counter behind rsvps.seq: never reused, even when the newest RSVP is deleted.
CREATE TABLE rsvp_seq (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO rsvp_seq(id, value) VALUES (1, 0);
-- An RSVP takes seq = value + 1 in its INSERT; this moves the counter on in the same
-- statement (one round trip fewer per click than a separate UPDATE … RETURNING).
CREATE TRIGGER rsvps_advance_seq AFTER INSERT ON rsvps
BEGIN
    UPDATE rsvp_seq SET value = NEW.seq WHERE id = 1 AND value < NEW.seq;
END;

-- What is due and what was done: the scheduler's jobs are rebuilt from the pending rows.
CREATE TABLE event_reminders (
    id             INTEGER PRIMARY KEY,
    event_id       INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    offset_seconds INTEGER NOT NULL CHECK (offset_seconds > 0),
    due_at         INTEGER NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'sent', 'skipped', 'cancelled')),
    processed_at   INTEGER,
    UNIQUE (event_id, offset_seconds)
);
CREATE INDEX event_reminders_pending ON event_reminders(due_at) WHERE status = 'pending';

-- A member's own choices (absent row = defaults: reminder DMs on).
CREATE TABLE event_member_prefs (
    guild_id     INTEGER NOT NULL REFERENCES guilds(guild_id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,
    reminder_dms INTEGER NOT NULL DEFAULT 1 CHECK (reminder_dms IN (0, 1)),
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;

-- Per-guild event settings (absent row = defaults). Offsets: seconds before start, comma-separated,
-- largest first; '' means no reminders.
CREATE TABLE event_guild_settings (
    guild_id         INTEGER PRIMARY KEY REFERENCES guilds(guild_id) ON DELETE CASCADE,
    reminder_offsets TEXT    NOT NULL DEFAULT '86400,3600'
);
