"""The bot's Prometheus metrics (GET /metrics), in a registry of its own.

Counters and histograms count what this process did (the one serving the web is the one
running shard 0: docs say so); the outbox gauges are read from the table at scrape time,
so they cover every process. No label holds member data: kinds only.
"""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import aiohttp
import discord
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.db import Database

INTERACTION_KINDS = {
    discord.InteractionType.application_command: "command",
    discord.InteractionType.component: "component",
    discord.InteractionType.modal_submit: "modal",
    discord.InteractionType.autocomplete: "autocomplete",
}
_CALLBACK = re.compile(r"/interactions/(\d+)/[^/]+/callback$")


class BotMetrics:
    def __init__(self) -> None:
        self.registry = r = CollectorRegistry(auto_describe=True)
        self.interactions = Counter(
            "bot_interactions", "Interactions received, by kind", ["kind"], registry=r
        )
        self.first_response = Histogram(
            "bot_interaction_first_response_seconds",
            "From an interaction's creation to the bot's first response to it",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10),
            registry=r,
        )
        self.outbox_backlog = Gauge(
            "bot_outbox_backlog", "Messages waiting to be sent (all processes)", registry=r
        )
        self.outbox_failed = Gauge(
            "bot_outbox_failed", "Messages that failed for good, by kind", ["kind"], registry=r
        )
        self.delivery_failures = Counter(
            "bot_outbox_delivery_failures",
            "Delivery attempts that failed (retried or given up), by kind",
            ["kind"],
            registry=r,
        )
        self.reminders_sent = Counter(
            "bot_reminders_sent", "Event reminders that went out", registry=r
        )
        self.gateway_reconnects = Counter(
            "bot_gateway_reconnects", "Gateway sessions resumed or made anew", registry=r
        )
        self.db_transaction = Histogram(
            "bot_db_transaction_seconds",
            "Time per database transaction",
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=r,
        )

    def interaction(self, interaction: discord.Interaction) -> None:
        kind = INTERACTION_KINDS.get(interaction.type)
        if kind is not None:
            self.interactions.labels(kind).inc()

    def trace_config(self) -> aiohttp.TraceConfig:
        """For discord.py's HTTP session (`http_trace`): interaction responses go through
        it, so the end of a callback request is the moment of the first response."""
        trace = aiohttp.TraceConfig()

        async def on_request_end(
            session: aiohttp.ClientSession,
            context: SimpleNamespace,
            params: aiohttp.TraceRequestEndParams,
        ) -> None:
            found = _CALLBACK.search(params.url.path)
            if found:
                created = discord.utils.snowflake_time(int(found.group(1))).timestamp()
                self.first_response.observe(max(0.0, time.time() - created))

        trace.on_request_end.append(on_request_end)
        return trace

    async def render(self, db: Database) -> bytes:
        """The text format, with the outbox gauges read now."""
        backlog = await db.fetchval("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
        self.outbox_backlog.set(int(backlog or 0))
        rows = await db.fetchall(
            "SELECT kind, COUNT(*) AS n FROM outbox WHERE status = 'failed' GROUP BY kind"
        )
        self.outbox_failed.clear()
        for row in rows:
            self.outbox_failed.labels(row["kind"]).set(int(row["n"]))
        return generate_latest(self.registry)
