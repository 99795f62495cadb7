-- Events at the door and after: registration questions and answers, tickets, check-ins,
-- the no-show policy and feedback (see bot/events/). Every time is epoch seconds, UTC.

-- Up to 4 questions asked when a member registers (JSON array of strings; NULL = none).
ALTER TABLE events ADD COLUMN questions TEXT;
-- When the after-event feedback DMs were enqueued (once per event; NULL = not yet).
ALTER TABLE events ADD COLUMN feedback_requested_at INTEGER;
-- Events already over when this migration runs never ask for feedback.
UPDATE events SET feedback_requested_at = ends_at + 3600 WHERE ends_at + 3600 <= unixepoch();

-- The member's answers, stored with the question each answered: JSON [[question, answer], …].
-- Kept with the RSVP, so leaving (or having one's data deleted) removes them.
ALTER TABLE rsvps ADD COLUMN answers TEXT;
-- 1 = waiting behind members in good standing (the no-show policy, decided at the click).
-- Always 0 for the going: ranking by (behind, seq) is then right for seats and waitlist alike.
ALTER TABLE rsvps ADD COLUMN behind INTEGER NOT NULL DEFAULT 0 CHECK (behind IN (0, 1));
-- Waitlist order is (behind, seq); one index still serves counting, ranking and ordering.
DROP INDEX rsvps_event_status_seq;
CREATE INDEX rsvps_event_status_behind_seq ON rsvps(event_id, status, behind, seq);

-- No-show policy (limit 0 = off) and the volunteer role allowed to check members in.
ALTER TABLE event_guild_settings ADD COLUMN no_show_limit INTEGER NOT NULL DEFAULT 0
    CHECK (no_show_limit BETWEEN 0 AND 20);
ALTER TABLE event_guild_settings ADD COLUMN no_show_window INTEGER NOT NULL DEFAULT 5
    CHECK (no_show_window BETWEEN 1 AND 50);
ALTER TABLE event_guild_settings ADD COLUMN volunteer_role_id INTEGER;

-- One ticket per seat. Codes are unique across all events (a code shown at the wrong
-- event's door is recognised as such). Leaving voids the ticket, keeping the row, so a
-- voided code is refused with when and why; a member seated again gets a new code.
CREATE TABLE event_tickets (
    code        TEXT    PRIMARY KEY,              -- e.g. 'K7QM-3XWD'
    event_id    INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    issued_at   INTEGER NOT NULL,
    voided_at   INTEGER,
    void_reason TEXT    CHECK (void_reason IS NULL OR void_reason IN ('left'))
) WITHOUT ROWID;
-- At most one live ticket per member per event.
CREATE UNIQUE INDEX event_tickets_live ON event_tickets(event_id, user_id)
    WHERE voided_at IS NULL;
CREATE INDEX event_tickets_user ON event_tickets(user_id, event_id);

-- Who came in. UNIQUE (event_id, user_id) is what makes concurrent check-ins of the same
-- member land once. user_id/by_user_id become NULL when that member's data is deleted:
-- the row stays, anonymous, so the event's counts and curve don't change.
CREATE TABLE event_checkins (
    id            INTEGER PRIMARY KEY,
    event_id      INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    user_id       INTEGER,
    checked_in_at INTEGER NOT NULL,
    by_user_id    INTEGER,                        -- the organizer or volunteer
    code          TEXT,                           -- their ticket; NULL for a walk-in
    walk_in       INTEGER NOT NULL CHECK (walk_in IN (0, 1)),
    UNIQUE (event_id, user_id)
);
CREATE INDEX event_checkins_user ON event_checkins(user_id);

-- One rating per attendee per event. Deleting the member's data drops the comment and
-- the user id but keeps the rating, so averages stay.
CREATE TABLE event_feedback (
    id         INTEGER PRIMARY KEY,
    event_id   INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    user_id    INTEGER,
    rating     INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment    TEXT    CHECK (comment IS NULL OR length(comment) <= 1000),
    created_at INTEGER NOT NULL,
    UNIQUE (event_id, user_id)
);
CREATE INDEX event_feedback_user ON event_feedback(user_id);
