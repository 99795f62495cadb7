-- The failure counts of /event attendees and /event stats (`outbox.failures`) search a
-- range of dedupe keys within one guild's failed messages here instead of scanning the
-- outbox, which keeps a month of every message sent (`outbox.prune`).
CREATE INDEX outbox_failed ON outbox(guild_id, dedupe_key) WHERE status = 'failed';
