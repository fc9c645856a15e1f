"""The workshop login through the real ``authgate gateway`` command with two worker processes
(SO_REUSEPORT): a session sealed by one worker must open in the other, and logout must end it
for both. No injected clock here (separate processes), so this module checks no expiry."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from e2e_harness import CountingIdp, route_config

from authgate.idp.seed import seed_workshop
from authgate.testing import ServerProcess, free_port
from authgate.testing.browser import RequestLog

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

pytestmark = pytest.mark.browser

SPEC = Path(__file__).resolve().parents[2] / "examples" / "workshop" / "idp.yaml"
RELOADS = 12


@dataclass
class Deployment:
    idp: CountingIdp
    gateway: ServerProcess
    base: str
    email: str
    password: str


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory, echo_port: int) -> Iterator[Deployment]:
    state = tmp_path_factory.mktemp("deployment")
    port, admin = free_port(), free_port()
    base = f"http://localhost:{port}"
    idp = CountingIdp(f"sqlite:///{state / 'idp.db'}").start()
    try:
        facts = idp.run(lambda store: seed_workshop(store, SPEC, base, state_dir=state))
        bar = {
            "issuer": idp.issuer(facts["pool_id"]),
            "client_id": [facts["client_id"]],
            "client_secret": ["{vault://env/E2E_KONG_API_SECRET}"],
            "auth_methods": ["authorization_code", "session"],
            "redirect_uri": [base + "/bar"],
            "session_secret": "{vault://env/E2E_SESSION_SECRET}",
            "upstream_headers_claims": ["email"],
            "upstream_headers_names": ["x-user-email"],
            "logout_uri_suffix": "/logout",
            "logout_methods": ["GET"],
            "logout_redirect_uri": [base + "/"],
        }
        config = state / "kong.yaml"
        config.write_text(route_config(echo_port, {"/bar": bar, "/": None}))
        env = {
            "E2E_KONG_API_SECRET": facts["client_secret"],
            "E2E_SESSION_SECRET": secrets.token_urlsafe(32),
        }
        gateway = ServerProcess(
            ["gateway", "--config", str(config), "--workers", "2",
             "--listen", f"127.0.0.1:{port}", "--admin-listen", f"127.0.0.1:{admin}",
             "--access-log", "off", "--drain-timeout", "2"],
            wait_port=admin, env=env, timeout=30,
        )  # fmt: skip
        with gateway:
            user = facts["user"]
            yield Deployment(idp, gateway, base, user["username"], user["password"])
    finally:
        idp.stop()


def test_session_sealed_by_one_worker_opens_in_the_other_and_logout_ends_it(
    deployment: Deployment, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(deployment.base + "/bar")
    page.get_by_label("Email").fill(deployment.email)
    page.get_by_label("Password").fill(deployment.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(deployment.base + "/bar")
    assert f'"x-user-email","{deployment.email}"' in page.locator("pre").inner_text()

    served = len(deployment.idp.requests)
    requests = RequestLog()
    context.on("request", requests)
    for _ in range(RELOADS):  # fresh connections: the kernel spreads them over both workers
        fresh = context.browser.new_context() if context.browser else None
        assert fresh is not None
        fresh.add_cookies(context.cookies(deployment.base))  # type: ignore[arg-type]
        response = fresh.request.get(deployment.base + "/bar", max_redirects=0)
        assert response.status == 200
        assert response.json()["path"] == "/"
        fresh.close()
    assert deployment.idp.requests[served:] == []

    page.goto(deployment.base + "/bar/logout")
    page.wait_for_url(deployment.base + "/")
    page.goto(deployment.base + "/bar")
    assert page.get_by_label("Password").is_visible(), "signed out at the gateway and the IdP"
    assert "Traceback" not in deployment.gateway.log()
