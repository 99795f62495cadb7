-- The server's name, kept up to date by the process that owns it (cogs/_app.py): with
-- several processes (bot/shards.py), a DM on shard 0 names a server another one holds.
ALTER TABLE guilds ADD COLUMN name TEXT;
