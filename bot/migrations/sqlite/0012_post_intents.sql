-- Crash windows between Discord and the database (Trust II): the bot records that it is
-- about to post an event's announcement, or create its Discord scheduled event, before
-- asking Discord, and clears the mark once it has recorded the result. A mark still set
-- at start-up means a crash in between: the bot looks for what Discord already has
-- (the announcement by its buttons, the scheduled event by name and start) and records
-- it, or posts/creates it then, so nothing is duplicated or lost.
ALTER TABLE events ADD COLUMN announce_intent_at INTEGER;
ALTER TABLE events ADD COLUMN scheduled_intent_at INTEGER;
