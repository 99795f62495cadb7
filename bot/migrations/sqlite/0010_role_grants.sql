-- Roles the bot itself gave members (event roles). The bot only ever takes back a role
-- it gave: a member who already held the role keeps it when they leave the event.
-- Grants and removals are owed through the outbox ('role.sync' rows) in the same
-- transaction as the seat change that causes them (see bot/events/roles.py).
CREATE TABLE role_grants (
    guild_id   INTEGER NOT NULL,
    role_id    INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, role_id, user_id)
) WITHOUT ROWID;
CREATE INDEX role_grants_user ON role_grants(guild_id, user_id);
