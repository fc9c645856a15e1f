"""Headless Debian chromium under Playwright, the same way in every browser test.

No browser is downloaded: Playwright drives the system's ``/usr/bin/chromium``. Each test takes
a fresh :class:`BrowserContext` (its own cookie jar) from one browser per module.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Request

__all__ = ["CHROMIUM_ARGS", "RequestLog", "chromium"]

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
"""Flags for a quiet headless chromium: no sandbox (root in CI), no calls home."""


@contextmanager
def chromium(executable_path: str) -> Iterator[Browser]:
    """A headless chromium at ``executable_path`` (Playwright sync API), closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable_path, headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            yield browser
        finally:
            browser.close()


class RequestLog:
    """URLs of every request a page or context sent, for "did the browser go there?" checks."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, request: Request) -> None:
        self.urls.append(request.url)

    def to(self, prefix: str) -> list[str]:
        """The logged URLs that start with ``prefix``."""
        return [url for url in self.urls if url.startswith(prefix)]

    def clear(self) -> None:
        """Forget what was logged so far."""
        self.urls.clear()
