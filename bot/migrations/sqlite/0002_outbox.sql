-- Messages the bot owes someone (DMs, channel posts). Domain code writes a row in
-- the same transaction as the change that causes it, so a crash never loses one;
-- the deliverer sends pending rows and marks them. dedupe_key makes enqueueing idempotent.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    kind        TEXT    NOT NULL,             -- e.g. 'event.promoted', 'event.reminder'
    user_id     INTEGER,                      -- a DM to this member, or
    channel_id  INTEGER,                      -- a post in this channel
    payload     TEXT    NOT NULL DEFAULT '{}',-- JSON, what the renderer needs
    dedupe_key  TEXT    UNIQUE,
    due_at      INTEGER NOT NULL DEFAULT (unixepoch()),
    status      TEXT    NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sent', 'failed', 'dropped')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  INTEGER NOT NULL DEFAULT (unixepoch()),
    sent_at     INTEGER
);
CREATE INDEX outbox_pending ON outbox(status, due_at) WHERE status = 'pending';
