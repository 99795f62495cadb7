-- Mentorship: mentor profiles, requests, proposals, exclusions, matches, check-ins,
-- feedback and each guild's settings (see bot/mentorship/). Every time is epoch
-- seconds, UTC. Member ids on proposals and matches become NULL when that member's
-- data is deleted: the rows stay, anonymous, so the guild's counts do not change.

-- One row per guild that has used the feature (its creation seeds the languages).
-- last_tick_at is the scheduled round served last, so a job firing twice or a restart
-- never runs the same tick twice; schedule_set_at stops a new schedule from counting
-- ticks from before it existed as missed.
CREATE TABLE mentorship_settings (
    guild_id        INTEGER PRIMARY KEY,
    schedule        TEXT    NOT NULL DEFAULT 'weekly mon 18:00',
    schedule_set_at INTEGER NOT NULL,
    channel_id      INTEGER,                  -- private match threads go here
    last_round_at   INTEGER,                  -- any round, manual or scheduled
    last_tick_at    INTEGER,
    created_at      INTEGER NOT NULL
);

-- The languages members may pick (English and Urdu to start; organizers add more).
CREATE TABLE mentorship_languages (
    guild_id INTEGER NOT NULL,
    name     TEXT    NOT NULL,
    name_key TEXT    NOT NULL,                -- casefolded: names match in any case
    position INTEGER NOT NULL,
    PRIMARY KEY (guild_id, name_key)
) WITHOUT ROWID;

-- A member who left keeps the row (status 'left'): joining again re-activates it.
CREATE TABLE mentor_profiles (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    capacity   INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 10),
    city       TEXT,                          -- a guild city, 'Remote', or NULL (any)
    languages  TEXT    NOT NULL DEFAULT '[]', -- JSON list of the guild's language names
    levels     TEXT    NOT NULL DEFAULT '[]', -- JSON list of beginner/intermediate/advanced
    bio        TEXT    CHECK (bio IS NULL OR length(bio) <= 300),
    status     TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'left')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;
CREATE INDEX mentor_profiles_status ON mentor_profiles(guild_id, status);

-- A join table (not JSON) so `/mentor list topic` is one indexed lookup.
CREATE TABLE mentor_topics (
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    topic    TEXT    NOT NULL,                -- the taxonomy's canonical name
    position INTEGER NOT NULL,                -- the order the mentor gave
    PRIMARY KEY (guild_id, user_id, topic),
    FOREIGN KEY (guild_id, user_id) REFERENCES mentor_profiles(guild_id, user_id)
        ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX mentor_topics_by_topic ON mentor_topics(guild_id, topic);

-- open: waiting; proposed: a proposal is pending; matched; cancelled (by the member);
-- closed (its match ended). created_at is "waiting since" and never moves.
CREATE TABLE mentee_requests (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    status     TEXT    NOT NULL DEFAULT 'open'
               CHECK (status IN ('open', 'proposed', 'matched', 'cancelled', 'closed')),
    topics     TEXT    NOT NULL,              -- JSON list of canonical topic names
    goal       TEXT    CHECK (goal IS NULL OR length(goal) <= 300),
    city       TEXT,
    language   TEXT,
    level      TEXT    CHECK (level IS NULL OR level IN ('beginner', 'intermediate', 'advanced')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    closed_at  INTEGER
);
-- One open request per member per guild, enforced by the store itself.
CREATE UNIQUE INDEX mentee_requests_one_open ON mentee_requests(guild_id, user_id)
    WHERE status IN ('open', 'proposed');
CREATE INDEX mentee_requests_status ON mentee_requests(guild_id, status);

-- A pending proposal holds one of the mentor's places until it is answered by both
-- (accepted), declined, expires (expires_at = created_at + 72 h) or is withdrawn.
CREATE TABLE mentorship_proposals (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    request_id    INTEGER REFERENCES mentee_requests(id) ON DELETE SET NULL,
    mentor_id     INTEGER,
    mentee_id     INTEGER,
    status        TEXT    NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'accepted', 'declined', 'expired', 'withdrawn')),
    mentor_answer TEXT    CHECK (mentor_answer IS NULL OR mentor_answer IN ('accepted', 'declined')),
    mentee_answer TEXT    CHECK (mentee_answer IS NULL OR mentee_answer IN ('accepted', 'declined')),
    score         REAL    NOT NULL,
    reasons       TEXT    NOT NULL DEFAULT '[]', -- JSON list of sentences
    origin        TEXT    NOT NULL DEFAULT 'round' CHECK (origin IN ('round', 'reroute')),
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    decided_at    INTEGER
);
CREATE UNIQUE INDEX mentorship_proposals_one_pending ON mentorship_proposals(request_id)
    WHERE status = 'pending';
CREATE INDEX mentorship_proposals_expiry ON mentorship_proposals(expires_at)
    WHERE status = 'pending';
CREATE INDEX mentorship_proposals_mentor ON mentorship_proposals(guild_id, mentor_id, status);
CREATE INDEX mentorship_proposals_mentee ON mentorship_proposals(guild_id, mentee_id);

-- Pairs never to propose again: a decline or an expiry excludes the mentor for that
-- *member* (not just that request), so cancelling and asking again does not bring the
-- same mentor back. Withdrawals (a mentor left, a request was cancelled) exclude nothing.
CREATE TABLE mentorship_exclusions (
    guild_id    INTEGER NOT NULL,
    mentee_id   INTEGER NOT NULL,
    mentor_id   INTEGER NOT NULL,
    reason      TEXT    NOT NULL CHECK (reason IN ('declined', 'expired')),
    proposal_id INTEGER,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, mentee_id, mentor_id)
) WITHOUT ROWID;
CREATE INDEX mentorship_exclusions_mentor ON mentorship_exclusions(guild_id, mentor_id);

CREATE TABLE mentorship_matches (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    request_id      INTEGER REFERENCES mentee_requests(id) ON DELETE SET NULL,
    proposal_id     INTEGER UNIQUE REFERENCES mentorship_proposals(id) ON DELETE SET NULL,
    mentor_id       INTEGER,
    mentee_id       INTEGER,
    topics          TEXT    NOT NULL,          -- JSON list: the shared topics
    status          TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
    started_at      INTEGER NOT NULL,
    ended_at        INTEGER,
    ended_by        INTEGER,
    end_reason      TEXT    CHECK (end_reason IS NULL
                                   OR end_reason IN ('ended', 'mentor_left', 'data_deleted')),
    thread_id       INTEGER,
    intro_sent_at   INTEGER,
    checkin_due_at  INTEGER NOT NULL,          -- started_at + 14 days
    checkin_sent_at INTEGER
);
CREATE INDEX mentorship_matches_mentor ON mentorship_matches(guild_id, mentor_id, status);
CREATE INDEX mentorship_matches_mentee ON mentorship_matches(guild_id, mentee_id, status);
CREATE INDEX mentorship_matches_checkin ON mentorship_matches(checkin_due_at)
    WHERE status = 'active' AND checkin_sent_at IS NULL;

CREATE TABLE mentorship_checkins (
    match_id    INTEGER NOT NULL REFERENCES mentorship_matches(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    answer      TEXT    NOT NULL CHECK (answer IN ('going_well', 'not_met', 'need_help')),
    answered_at INTEGER NOT NULL,
    PRIMARY KEY (match_id, user_id)
) WITHOUT ROWID;

-- Once per side per match: (match_id, from_role) stays unique after from_id is
-- anonymised, so a deleted member's rating still counts and cannot be given twice.
CREATE TABLE mentorship_feedback (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    match_id   INTEGER NOT NULL REFERENCES mentorship_matches(id) ON DELETE CASCADE,
    from_id    INTEGER,
    from_role  TEXT    NOT NULL CHECK (from_role IN ('mentor', 'mentee')),
    rating     INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment    TEXT    CHECK (comment IS NULL OR length(comment) <= 1000),
    created_at INTEGER NOT NULL,
    UNIQUE (match_id, from_role)
);
CREATE INDEX mentorship_feedback_guild ON mentorship_feedback(guild_id);
