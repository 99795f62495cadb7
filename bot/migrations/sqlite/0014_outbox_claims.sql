-- Claims on due outbox messages (bot/outbox.py `claim`): the process sending a message
-- holds it until `claimed_until` (epoch seconds); a process that dies holding it lets go
-- when that time passes, and another sends it. NULL: nobody holds it.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until BIGINT;
