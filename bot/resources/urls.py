"""Checking and normalising the links members give, so one page is stored once.

The canonical form lower-cases the scheme and host, drops default ports, the
fragment and tracking parameters (`utm_*`, `fbclid`, …), and keeps every other
query parameter in its order: two links that open the same page compare equal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import SplitResult, unquote_plus, urlsplit, urlunsplit

from bot.errors import InvalidInput
from bot.i18n import N_, _

MAX_URL_LENGTH = 500
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "ref_src"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_BAD_HOST_CHARS = re.compile(r"[\s<>\"{}|\\^`]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # never in a link (nor in PostgreSQL's text: NUL)

_SCHEME_REFUSALS = {
    "javascript": N_(
        "javascript: links run code instead of opening a page, so they can't be "
        "added; give the page's https:// address."
    ),
    "data": N_(
        "data: URLs carry their content inline instead of pointing to a page; give the "
        "https:// address where it is published."
    ),
    "file": N_(
        "file: links point to a file on one computer that nobody else can open; give a "
        "public https:// address."
    ),
}


@dataclass(frozen=True)
class CheckedUrl:
    url: str  # what was given, trimmed (kept for display)
    canonical: str  # the normalised form used to spot duplicates


def check_url(text: str) -> CheckedUrl:
    """Validate a link and normalise it; InvalidInput says what is wrong and what works."""
    url = (text or "").strip()
    if not url:
        raise InvalidInput(_("Give a link, starting with https:// or http://."))
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInput(
            _(
                "That link is {length} characters long; links can be at most {limit}."
                " Remove tracking parameters or use the page's shorter address.",
                length=len(url),
                limit=MAX_URL_LENGTH,
            )
        )
    match = _SCHEME.match(url)
    scheme = match.group(1).lower() if match else ""
    if scheme in _SCHEME_REFUSALS:
        raise InvalidInput(_(_SCHEME_REFUSALS[scheme]))
    if scheme not in _DEFAULT_PORTS or not url[len(scheme) + 1 :].startswith("//"):
        shown = url[:60] + ("…" if len(url) > 60 else "")
        raise InvalidInput(
            _(
                "“{link}” is not a web link: only http:// and https:// links work,"
                " like https://example.com/page.",
                link=shown,
            )
        )
    if any(ch.isspace() for ch in url):
        raise InvalidInput(_("A link can't contain spaces; copy it again from the address bar."))
    if _CONTROL.search(url):
        raise InvalidInput(
            _("A link can't contain control characters; copy it again from the address bar.")
        )
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        raise InvalidInput(
            _(
                "That link's host or port is malformed; it should look like https://example.com/page."
            )
        ) from None
    if not host:
        raise InvalidInput(
            _("That link has no host; it should look like https://example.com/page.")
        )
    if _BAD_HOST_CHARS.search(host):
        raise InvalidInput(_("That link's host has characters a host can't have."))
    return CheckedUrl(url=url, canonical=_canonical(parts, scheme, host, port))


def canonical_url(text: str) -> str:
    """The canonical form of a link (raises InvalidInput like `check_url`)."""
    return check_url(text).canonical


def canonical_or_none(text: str | None) -> str | None:
    """The canonical form, or None for anything that is not a usable http(s) link."""
    if not text:
        return None
    try:
        return check_url(text).canonical
    except InvalidInput:
        return None


def _canonical(parts: SplitResult, scheme: str, host: str, port: int | None) -> str:
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    if "@" in parts.netloc:
        netloc = parts.netloc.rsplit("@", 1)[0] + "@" + netloc
    path = parts.path or "/"
    kept = [p for p in parts.query.split("&") if p and not _is_tracking(p)]
    return urlunsplit((scheme, netloc, path, "&".join(kept), ""))


def _is_tracking(param: str) -> bool:
    key = unquote_plus(param.split("=", 1)[0]).lower()
    return key.startswith("utm_") or key in TRACKING_PARAMS


def shown_url(url: str) -> str:
    """A link as it may be shown in notices: scheme, host, port and path only. The query
    string and any user:password@ are left out (they can carry secrets)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return _("(an invalid address)")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
