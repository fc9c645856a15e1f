"""Proactive content negotiation on ``Accept`` (RFC 9110 §12.5.1): HTML or JSON?

The echo upstream answers a browser with a page and everything else with JSON. "A browser"
means an ``Accept`` that gives ``text/html`` a higher quality than ``application/json``:
Chromium and Firefox send ``text/html,…,*/*;q=0.8`` (HTML 1, JSON 0.8 through ``*/*``);
curl and httpx send ``*/*`` (a tie, so JSON, as before); ``application/json,
text/html;q=0.9`` asks for JSON. Each type takes the quality of the most specific range that
matches it (``text/html`` over ``text/*`` over ``*/*``), and ``q=0`` means "not acceptable".
"""

from __future__ import annotations

import re

__all__ = ["MAX_ACCEPT_LENGTH", "MAX_ACCEPT_RANGES", "prefers_html", "quality"]

# Untrusted input: only this much of the header is read; longer ones are cut, never refused.
MAX_ACCEPT_LENGTH = 4096
MAX_ACCEPT_RANGES = 64

_Range = tuple[str, str, float]
_QVALUE = re.compile(r"0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?")


def _qvalue(text: str) -> float | None:
    """The ``qvalue`` grammar of RFC 9110 §12.4.2; None when ``text`` does not match it."""
    return float(text) if _QVALUE.fullmatch(text) else None


def _ranges(accept: str) -> list[_Range]:
    ranges: list[_Range] = []
    for item in accept[:MAX_ACCEPT_LENGTH].split(",")[:MAX_ACCEPT_RANGES]:
        media, *params = item.split(";")
        kind, slash, subtype = media.strip().lower().partition("/")
        if not slash or not kind or not subtype or (kind == "*" and subtype != "*"):
            continue
        q: float | None = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                q = _qvalue(value.strip())
        if q is not None:
            ranges.append((kind, subtype, q))
    return ranges


def quality(accept: str, media_type: str) -> float:
    """The quality ``accept`` gives ``media_type`` (``type/subtype``): 0 when none matches."""
    kind, _, subtype = media_type.lower().partition("/")
    best, best_rank = 0.0, -1
    for range_kind, range_subtype, q in _ranges(accept):
        if (range_kind, range_subtype) == (kind, subtype):
            rank = 2
        elif range_kind == kind and range_subtype == "*":
            rank = 1
        elif (range_kind, range_subtype) == ("*", "*"):
            rank = 0
        else:
            continue
        # The most specific range wins; among equals (a repeated range), the first.
        if rank > best_rank:
            best, best_rank = q, rank
    return best


def prefers_html(accept: str | None) -> bool:
    """Whether ``accept`` ranks ``text/html`` above ``application/json`` (ties: JSON)."""
    if not accept:
        return False
    html = quality(accept, "text/html")
    return html > 0.0 and html > quality(accept, "application/json")
