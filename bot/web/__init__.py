"""The domain side of the bot's web pages: signed links and their revocation (links.py).

No HTTP here: the server, its routes and headers are Discord-side plumbing in cogs/web/.
"""
