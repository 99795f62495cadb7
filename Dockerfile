# The bot as a container image: `docker build -t gdg-bot .`, then run it with its
# settings in the environment (see compose.yaml and .env.example). The package ships
# its migrations, so the image starts on SQLite (a volume at /app/data) or on
# PostgreSQL (DATABASE_URL) with nothing else copied in.
FROM python:3.11-slim

# MPLCONFIGDIR: matplotlib (the /event stats chart) keeps its font cache where the bot
# user may write; its home, /app, is not writable.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MPLCONFIGDIR=/tmp/matplotlib

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
RUN pip install . \
    && useradd --system --home-dir /app --shell /usr/sbin/nologin bot \
    && mkdir -p /app/data \
    && chown bot /app/data
USER bot
VOLUME ["/app/data"]
# SIGTERM (docker stop) closes the bot cleanly: the scheduler stops, the store closes.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot"]
