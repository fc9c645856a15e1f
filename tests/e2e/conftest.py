"""Fixtures for the end-to-end tests: one headless chromium per module (a fresh context per
test) and the third-party OP (panva's oidc-provider) on loopback.

The OP is a Node project in ``third_party_op/`` installed by ``npm ci`` (``.ci/run`` does it);
without ``node_modules`` these tests skip loudly locally and fail under CI=true.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from e2e_harness import OP_EMAIL, OP_PASSWORD, StartOp

from authgate.testing import require_service
from authgate.testing.browser import chromium
from authgate.testing.third_party_op import ThirdPartyOp, ThirdPartyOpClient, op_installed

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

OP_PROJECT = Path(__file__).resolve().parent / "third_party_op"


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    """One headless chromium for the module."""
    with chromium(chromium_path) as launched:
        yield launched


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser context (empty cookie jar) for one test."""
    ctx = browser.new_context(viewport={"width": 900, "height": 700})
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def op_project() -> Path:
    """The installed Node project of the third-party OP."""
    missing = op_installed(OP_PROJECT)
    require_service(missing is None, f"{missing}")
    return OP_PROJECT


@pytest.fixture(scope="module")
def start_op(op_project: Path) -> Iterator[StartOp]:
    """Start oidc-provider processes for this module; all are stopped at its end."""
    started: list[ThirdPartyOp] = []

    def start(
        client_id: str,
        client_secret: str,
        redirect_uris: Sequence[str],
        post_logout_redirect_uris: Sequence[str] = (),
        access_token_ttl: int = 300,
    ) -> ThirdPartyOp:
        client = ThirdPartyOpClient(
            client_id, client_secret, tuple(redirect_uris), tuple(post_logout_redirect_uris)
        )
        op = ThirdPartyOp(op_project, client, OP_EMAIL, OP_PASSWORD, access_token_ttl)
        started.append(op.start())
        return op

    yield start
    for op in started:
        op.stop()
