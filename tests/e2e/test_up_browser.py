"""The workshop exactly as a user runs it: ``authgate up`` (IdP seeded from
``examples/workshop/idp.yaml``, echo upstream, gateway with ``examples/workshop/kong.yaml``),
then a real browser opens ``http://localhost:<port>/bar``, signs in on the hosted page as the
demo user from ``demo.json``, sees the echo upstream's page (who is signed in, the ID token's
claims, the identity headers, tokens shortened), reloads, and signs out with the page's
button. The gateway runs two workers, so the session cookie one worker sealed must open in the
other. The signed-in page's screenshot is the README's."""

from __future__ import annotations

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
    from playwright.sync_api import BrowserContext, Locator, Page

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


def _png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (PNG spec §11.2.2)."""
    data = path.read_bytes()
    assert data[12:16] == b"IHDR", path
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _within_viewport(page: Page, locator: Locator) -> bool:
    box, viewport = locator.bounding_box(), page.viewport_size
    assert box is not None
    assert viewport is not None
    return box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]


def _row(table: Locator, name: str) -> Locator:
    """The row of ``table`` whose header cell is exactly ``name``."""
    return table.get_by_role("row").filter(
        has=table.page.get_by_role("rowheader", name=name, exact=True)
    )


def _sign_in(up: Up, page: Page) -> None:
    page.goto(up.bar)
    assert page.url.startswith(up.idp), page.url
    assert page.get_by_role("heading", name="Sign in").is_visible()
    page.get_by_label("Email").fill(up.email)
    page.get_by_label("Password").fill(up.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(up.bar)


def _echo_json(context: BrowserContext, url: str) -> dict[str, list[str]]:
    """The headers the echo upstream got, as an API client on the same session sees them."""
    answer = context.request.get(url, headers={"accept": "application/json"})
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/json"
    seen: dict[str, list[str]] = {}
    for name, value in answer.json()["headers"]:
        seen.setdefault(name.lower(), []).append(value)
    return seen


def test_after_sign_in_the_browser_shows_who_is_signed_in_not_raw_json(
    up: Up, context: BrowserContext
) -> None:
    page = context.new_page()
    _sign_in(up, page)
    signed_in = page.get_by_text(f"Signed in as Demo User ({up.email})")
    assert signed_in.is_visible()
    assert page.locator("pre").count() == 0, "no wall of JSON"
    claims = page.get_by_role("table", name="ID token claims")
    assert _row(claims, "email").get_by_role("cell").inner_text() == up.email
    assert _row(claims, "given_name").get_by_role("cell").inner_text() == "Demo"
    assert page.get_by_text("not verified").is_visible()
    added = page.get_by_role("table", name="Identity headers from the gateway")
    for name in ("authorization", "x-id-token", "x-authenticated-user", "x-client-id", "x-scope"):
        assert _row(added, name).count() == 1, name

    headers = _echo_json(context, up.bar)
    access = headers["authorization"][0].removeprefix("Bearer ")
    id_token = headers["x-id-token"][0]
    assert id_token.count(".") == 2
    html = page.content()
    for token in (access, id_token):
        assert token not in html, "a page never shows a whole token"
        assert f"{token[:12]}…{token[-6:]}" in html
    user = _row(added, "x-authenticated-user").get_by_role("cell").inner_text()
    assert user == headers["x-authenticated-user"][0]

    sign_out = page.get_by_role("button", name="Sign out")
    assert _within_viewport(page, signed_in)
    assert _within_viewport(page, sign_out)
    shot = save_screenshot(page, "workshop-login.png")
    viewport = page.viewport_size
    assert viewport is not None
    assert _png_size(shot) == (viewport["width"], viewport["height"])
    assert shot.stat().st_size > 20_000, "a page of text and tables, not a blank one"

    sent: list[tuple[str, str]] = []
    context.on("request", lambda request: sent.append((request.method, request.url)))
    sign_out.click()
    page.wait_for_url(up.idp + "/**")  # no logout_redirect_uri: the IdP's signed-out page
    assert [m for m, url in sent if url == up.bar + "/logout"] == ["POST"], "the form POSTs"
    assert page.get_by_role("heading", name="Signed out").is_visible()
    page.get_by_role("link", name="Sign in again").click()
    page.wait_for_url(up.idp + "/**")
    assert page.get_by_label("Password").is_visible(), "signed out at the IdP too"
    page.goto(up.bar)
    assert page.url.startswith(up.idp), "the gateway session is gone"
    assert page.get_by_label("Password").is_visible()
    assert "Traceback" not in up.process.log()


def test_authgate_up_workshop_sign_in_reload_and_sign_out_in_a_browser(
    up: Up, context: BrowserContext
) -> None:
    page = context.new_page()
    _sign_in(up, page)
    headers = _echo_json(context, up.bar)
    assert headers["x-authenticated-user"], "the identity the workshop config sends upstream"
    assert headers["x-id-token"][0].count(".") == 2
    assert headers["authorization"][0].startswith("Bearer ")

    requests = RequestLog()
    context.on("request", requests)
    response = page.reload()
    assert response is not None
    assert response.status == 200
    assert page.get_by_text("Signed in as Demo User").is_visible()
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
    page.wait_for_url(up.idp + "/**")
    assert page.get_by_text("You are signed out.").is_visible()
    page.goto(up.bar)
    page.wait_for_url(up.idp + "/**")
    assert page.get_by_label("Password").is_visible(), "the IdP session ended too"
    assert "Traceback" not in up.process.log()
