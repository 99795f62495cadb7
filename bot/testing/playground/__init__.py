"""Try the whole bot in a browser, with no Discord account: the fake Discord, a demo
server and a page that looks and acts like a Discord client (`python3 dev.py run`
without a token, or `python3 dev.py playground`)."""
