-- Mentorship: the private thread of a match is made once, even across a crash, and
-- check-in alerts go to organizers only.

-- When the bot asked Discord for the match's thread (written and committed before the
-- call). Set while thread_id is NULL means a crash may have come in between: at the
-- next start the bot looks for the thread by its name (`Mentorship #<id>: …`) before
-- making one. intro_sent_at is set only once the intro is in the thread (or owed by DM).
ALTER TABLE mentorship_matches ADD COLUMN thread_requested_at INTEGER;

-- Check-in alerts ("we haven't met", "we need help") were owed to the public
-- announcements channel; they are organizer notices now (bot/organizer_notices.py).
-- Move the ones not yet sent: to the organizer channel when one is set, else to wait.
INSERT OR IGNORE INTO organizer_notices(guild_id, text, dedupe_key, created_at)
SELECT o.guild_id,
       'A member of mentorship #' || json_extract(o.payload, '$.match_id') || ' says '
       || CASE json_extract(o.payload, '$.answer')
              WHEN 'not_met' THEN 'they haven''t met yet'
              ELSE 'they''d like some help' END
       || ' (check-in). `/mentorship stats` has the overview.',
       'organizers:' || o.dedupe_key,
       o.created_at
FROM outbox o JOIN guilds g ON g.guild_id = o.guild_id
WHERE o.kind = 'mentorship.checkin_alert' AND o.status = 'pending'
  AND g.organizer_channel_id IS NULL;

UPDATE outbox
SET kind = 'organizer.notice',
    channel_id = (SELECT organizer_channel_id FROM guilds g WHERE g.guild_id = outbox.guild_id),
    payload = json_object('text',
        'A member of mentorship #' || json_extract(payload, '$.match_id') || ' says '
        || CASE json_extract(payload, '$.answer')
               WHEN 'not_met' THEN 'they haven''t met yet'
               ELSE 'they''d like some help' END
        || ' (check-in). `/mentorship stats` has the overview.'),
    dedupe_key = 'organizers:' || dedupe_key
WHERE kind = 'mentorship.checkin_alert' AND status = 'pending'
  AND (SELECT organizer_channel_id FROM guilds g WHERE g.guild_id = outbox.guild_id) IS NOT NULL;

UPDATE outbox SET status = 'dropped'
WHERE kind = 'mentorship.checkin_alert' AND status = 'pending';
