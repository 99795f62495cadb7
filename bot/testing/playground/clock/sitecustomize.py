"""Time travel for the playground's bot process, and nothing else.

The playground starts `python -m bot` with this folder on PYTHONPATH and
PLAYGROUND_TIME_OFFSET set: the process's wall clock (time.time, datetime.now, …; not
the monotonic clock asyncio runs on) then runs that many seconds ahead, through the
time-machine library. The bot's code is unchanged: jobs are rebuilt from the database
at start-up, so whatever fell due in the jump happens at once. A bot run against real
Discord never has this folder on its path.
"""

import os

_offset = float(os.environ.get("PLAYGROUND_TIME_OFFSET") or 0)
if _offset:
    import time

    import time_machine

    time_machine.travel(time.time() + _offset, tick=True).start()
