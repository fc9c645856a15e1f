"""The workshop exactly as a user runs it: ``authgate up`` (IdP seeded from
``examples/workshop/idp.yaml``, echo upstream, gateway with ``examples/workshop/kong.yaml``),
then a real browser opens ``http://localhost:<port>/bar``, signs in on the hosted page as the
demo user from ``demo.json``, reloads, and signs out. The gateway runs two workers, so the
session cookie one worker sealed must open in the other. Its screenshot is the README's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pytest

from authgate.testing import ServerProcess, free_port
from authgate.testing.browser import RequestLog
from authgate.testing.gateway import eventually
from authgate.testing.screenshots import save_screenshot

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
FRESH_CONNECTIONS = 12


@dataclass
class Up:
    process: ServerProcess
    bar: str
    idp: str
    email: str
    password: str


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    proxy, admin, echo, idp = (free_port() for _ in range(4))
    state = tmp_path_factory.mktemp("up")
    process = ServerProcess(
        ["up", "--listen", f"127.0.0.1:{proxy}", "--admin-listen", f"127.0.0.1:{admin}",
         "--echo-listen", f"127.0.0.1:{echo}", "--idp-listen", f"127.0.0.1:{idp}",
         "--workers", "2",
         "--config", str(ROOT / "examples" / "workshop" / "kong.yaml"),
         "--idp-spec", str(ROOT / "examples" / "workshop" / "idp.yaml"),
         "--state-dir", str(state)],
        wait_port=admin, timeout=60, cwd=ROOT,
    )  # fmt: skip
    with process:
        demo_json = state / "demo.json"
        eventually(demo_json.exists, timeout=30)
        demo: dict[str, Any] = orjson.loads(demo_json.read_bytes())
        credentials = demo["credentials"]
        yield Up(
            process, f"http://localhost:{proxy}/bar", f"http://127.0.0.1:{idp}",
            credentials["demo user"], credentials["password"],
        )  # fmt: skip


def test_authgate_up_workshop_sign_in_reload_and_sign_out_in_a_browser(
    up: Up, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(up.bar)
    assert page.url.startswith(up.idp), page.url
    assert page.get_by_role("heading", name="Sign in").is_visible()
    page.get_by_label("Email").fill(up.email)
    page.get_by_label("Password").fill(up.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(up.bar)
    echo: dict[str, Any] = json.loads(page.locator("pre").first.inner_text())
    headers = {name.lower(): value for name, value in echo["headers"]}
    assert headers["x-authenticated-user"], "the identity the workshop config sends upstream"
    assert headers["x-id-token"].count(".") == 2
    assert headers["authorization"].startswith("Bearer ")
    save_screenshot(page, "workshop-login.png")

    requests = RequestLog()
    context.on("request", requests)
    response = page.reload()
    assert response is not None
    assert response.status == 200
    assert requests.to(up.idp) == [], "reload: no IdP round trip"
    browser = context.browser
    assert browser is not None
    for _ in range(FRESH_CONNECTIONS):  # the kernel spreads new connections over both workers
        fresh = browser.new_context()
        fresh.add_cookies(context.cookies(up.bar))  # type: ignore[arg-type]
        again = fresh.request.get(up.bar, max_redirects=0)
        assert again.status == 200, "a session sealed by one worker opens in the other"
        fresh.close()

    page.goto(up.bar + "/logout")
    page.wait_for_url(up.idp + "/**")  # logout_redirect_uri is /bar: it asks to sign in again
    assert page.get_by_label("Password").is_visible()
    assert "Traceback" not in up.process.log()
