-- What chapters run on (issue 14): recurring series, online links, a thread per event and
-- the check-in window. Every time is epoch seconds, UTC, except where a column says local.

-- A series: the rule and the template its occurrences are made from. Each occurrence is an
-- ordinary event (own RSVPs, seats, tickets, reminders) made `lead_days` before it starts
-- (bot/events/series.py). Local wall time and the zone, so 10:00 stays 10:00 across DST.
CREATE TABLE event_series (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL REFERENCES guilds(guild_id) ON DELETE CASCADE,
    rule          TEXT    NOT NULL
                  CHECK (rule IN ('weekly', 'every-2-weeks', 'monthly-weekday', 'monthly-date')),
    first_local   TEXT    NOT NULL,          -- the first start, local: 2027-01-09T10:00
    tz            TEXT    NOT NULL,
    duration      INTEGER NOT NULL CHECK (duration > 0),
    until_local   TEXT,                      -- last day, inclusive (local date); NULL = open
    max_count     INTEGER CHECK (max_count IS NULL OR max_count BETWEEN 1 AND 520),
    title         TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    city          TEXT    NOT NULL,
    venue         TEXT,
    description   TEXT,
    capacity      INTEGER CHECK (capacity IS NULL OR capacity BETWEEN 1 AND 100000),
    channel_id    INTEGER,
    role_id       INTEGER,
    questions     TEXT,
    online_url    TEXT,
    organizer_id  INTEGER NOT NULL,
    next_index    INTEGER NOT NULL DEFAULT 1,     -- the next occurrence to make (or skip)
    status        TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX event_series_guild ON event_series(guild_id, status);

-- The occurrence an event is (index 0 = the first); unique, so two processes making the
-- next occurrence at once make it once.
ALTER TABLE events ADD COLUMN series_id INTEGER REFERENCES event_series(id) ON DELETE SET NULL;
ALTER TABLE events ADD COLUMN series_index INTEGER;
CREATE UNIQUE INDEX events_series_index ON events(series_id, series_index)
    WHERE series_id IS NOT NULL;

-- An https link shown only to members who are going (bot/events/fields.py checks it).
ALTER TABLE events ADD COLUMN online_url TEXT CHECK (online_url IS NULL OR length(online_url) <= 500);

-- The announcement's discussion thread, and when it was archived (a day after the end).
ALTER TABLE events ADD COLUMN thread_id INTEGER;
ALTER TABLE events ADD COLUMN thread_archived_at INTEGER;

ALTER TABLE event_guild_settings ADD COLUMN series_lead_days INTEGER NOT NULL DEFAULT 14
    CHECK (series_lead_days BETWEEN 1 AND 90);
ALTER TABLE event_guild_settings ADD COLUMN event_threads INTEGER NOT NULL DEFAULT 1
    CHECK (event_threads IN (0, 1));
-- Volunteers may check members in from this many hours before the start (0 = from the start).
ALTER TABLE event_guild_settings ADD COLUMN checkin_window_hours INTEGER NOT NULL DEFAULT 24
    CHECK (checkin_window_hours BETWEEN 0 AND 168);
