"""`python -m bot.testing.playground [--port N] [--fresh] [--data DIR]`

Starts the fake Discord with the demo server, its page and the real bot, prints where
to open it, and runs until Ctrl-C (or SIGTERM), which stops the bot and saves the world.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import time
from pathlib import Path

from bot.testing.playground.runner import Playground

DEFAULT_PORT = 8790


async def serve(args: argparse.Namespace) -> int:
    started = time.monotonic()
    playground = Playground(Path(args.data), port=args.port, fresh=args.fresh)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        url = await playground.start()
    except OSError as exc:
        print(f"error: the playground could not start: {exc}", file=sys.stderr)
        await playground.stop()
        return 1
    print(
        f"Playground ready at {url} (no Discord needed; ready in "
        f"{time.monotonic() - started:.0f} s). To run on real Discord instead, put your "
        "bot's token in .env (DISCORD_TOKEN=…, see README).",
        flush=True,
    )
    await stop.wait()
    print("stopping the playground…", flush=True)
    await playground.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.testing.playground", description=__doc__)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--fresh", action="store_true", help="start over with a new demo")
    parser.add_argument("--data", default="data", help="where the playground keeps its state")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return asyncio.run(serve(args))


if __name__ == "__main__":
    sys.exit(main())
