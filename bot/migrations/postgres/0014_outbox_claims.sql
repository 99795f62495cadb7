-- Claims on due outbox messages (bot/outbox.py `claim`): the process sending a message
-- holds it until `claimed_until` (epoch seconds); a process that dies holding it lets go
-- when that time passes, and another sends it. NULL: nobody holds it.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT, ADD COLUMN claimed_until BIGINT;

-- Dedupe keys are searched by prefix as a range (bot/outbox.py `_key_range`), which needs
-- text ordered by code point as SQLite orders it; a database made with a language's
-- collation (en_US.UTF-8 ignores punctuation at first) would put `event:70:…` inside the
-- range of `event:7:`. "C" compares bytes, and UTF-8's bytes order like code points.
ALTER TABLE outbox ALTER COLUMN dedupe_key TYPE TEXT COLLATE "C";
