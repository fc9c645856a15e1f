"""`authgate up`: the seed workshop (IdP seeded, echo, gateway with /bar protected) as printed.

One real `authgate up` process on free ports serves the module; every command of its banner
is run exactly as printed, the same credentials are checked in detail with httpx, and the
last tests stop it with SIGTERM and start it again on the same state directory.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import orjson
import pytest

from authgate.testing import ServerProcess, free_port
from authgate.testing.gateway import eventually
from idp.oidc_harness import form_fields

ROOT = Path(__file__).resolve().parents[2]
WORKSHOP = ROOT / "examples" / "workshop"
NAV = {"Accept": "text/html", "Sec-Fetch-Mode": "navigate"}


@dataclass
class Up:
    process: ServerProcess
    state: Path
    proxy: int
    demo: dict[str, Any]

    @property
    def bar(self) -> str:
        return f"http://localhost:{self.proxy}/bar"

    def descendants(self) -> set[int]:
        """Every process below `authgate up` (IdP, echo, gateway and its workers)."""
        assert self.process.proc is not None
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                parents[int(entry.name)] = int(fields[1])
        found, frontier = set(), {self.process.proc.pid}
        while frontier:
            children = {pid for pid, parent in parents.items() if parent in frontier}
            found |= children
            frontier = children
        return found


def _start_up(state: Path, ports: dict[str, int]) -> Up:
    process = ServerProcess(
        ["up", "--listen", f"127.0.0.1:{ports['proxy']}",
         "--admin-listen", f"127.0.0.1:{ports['admin']}",
         "--echo-listen", f"127.0.0.1:{ports['echo']}",
         "--idp-listen", f"127.0.0.1:{ports['idp']}",
         "--config", str(WORKSHOP / "kong.yaml"), "--idp-spec", str(WORKSHOP / "idp.yaml"),
         "--state-dir", str(state)],
        wait_port=ports["admin"],
        timeout=40,
    )  # fmt: skip
    process.start()
    eventually(lambda: "Ctrl-C stops everything" in process.log(), timeout=20)
    demo = orjson.loads((state / "demo.json").read_bytes())
    return Up(process, state, ports["proxy"], demo)


@pytest.fixture(scope="module")
def ports() -> dict[str, int]:
    return {name: free_port() for name in ("proxy", "admin", "echo", "idp")}


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory, ports: dict[str, int]) -> Iterator[Up]:
    state = tmp_path_factory.mktemp("up") / "state"
    running = _start_up(state, ports)
    try:
        yield running
    finally:
        running.process.stop()


def _echoed_headers(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 200, response.text
    return {name.lower(): value for name, value in response.json()["headers"]}


def test_every_banner_command_works_exactly_as_printed(up: Up) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed: the banner's commands cannot be run as printed")
    commands = up.demo["commands"]
    script = "".join(f"echo '@@ {i}'\n{c['command']}\n" for i, c in enumerate(commands))
    result = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=30, check=False
    )
    outputs = result.stdout.split("@@ ")[1:]
    assert len(outputs) == len(commands), result.stderr
    for command, output in zip(commands, outputs, strict=True):
        if command["expect"] is not None:
            status_line = output.split("\n", 2)[1]
            assert status_line.startswith(f"HTTP/1.1 {command['expect']} "), (command, output)
    printed = up.process.log()
    for command in commands:
        assert command["command"] in printed


def test_no_credential_is_401_for_api_clients_and_a_login_redirect_for_browsers(up: Up) -> None:
    api = httpx.get(up.bar, headers={"Accept": "application/json"})
    assert api.status_code == 401
    assert api.headers["www-authenticate"].startswith('Bearer realm="authgate"')
    browser = httpx.get(up.bar, headers={"Accept": "text/html", "Sec-Fetch-Mode": "navigate"})
    assert browser.status_code == 302
    location = browser.headers["location"]
    assert location.startswith(up.demo["idp"]["endpoints"]["authorization_endpoint"] + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["redirect_uri"] == [up.bar]
    assert query["client_id"] == [up.demo["idp"]["client_id"]]


def test_password_grant_reaches_the_upstream_with_identity_headers(up: Up) -> None:
    user, idp = up.demo["idp"]["user"], up.demo["idp"]
    response = httpx.get(up.bar, auth=(user["username"], user["password"]))
    headers = _echoed_headers(response)
    assert headers["authorization"].startswith("Bearer ")
    assert headers["x-id-token"].count(".") == 2
    assert headers["x-credential-identifier"] == user["sub"]
    assert headers["x-client-id"] == idp["client_id"]
    wrong = httpx.get(up.bar, auth=(user["username"], user["password"] + "x"))
    assert wrong.status_code == 401


def test_client_credentials_of_the_service_client_are_accepted(up: Up) -> None:
    service = up.demo["idp"]["service_client"]
    response = httpx.get(up.bar, auth=(service["client_id"], service["client_secret"]))
    headers = _echoed_headers(response)
    assert headers["x-client-id"] == service["client_id"]
    assert headers["x-scope"] == "bar-api/read"
    assert "x-authenticated-user" not in headers


def test_bearer_token_works_until_revoked_and_garbage_is_401(up: Up) -> None:
    idp, user = up.demo["idp"], up.demo["idp"]["user"]
    client = (idp["client_id"], idp["client_secret"])
    grant = {"grant_type": "password", "username": user["username"], "password": user["password"]}
    tokens = httpx.post(idp["endpoints"]["token_endpoint"], auth=client, data=grant).json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert _echoed_headers(httpx.get(up.bar, headers=bearer))["x-client-id"] == idp["client_id"]
    refreshed = httpx.get(up.bar, headers={"x-refresh-token": tokens["refresh_token"]})
    assert refreshed.status_code == 200
    revoke = httpx.post(
        idp["endpoints"]["revocation_endpoint"],
        auth=client,
        data={"token": tokens["refresh_token"]},
    )
    assert revoke.status_code == 200
    for headers in (bearer, {"Authorization": "Bearer not-a-real-token"}):
        refused = httpx.get(up.bar, headers=headers)
        assert refused.status_code == 401
        assert 'error="invalid_token"' in refused.headers["www-authenticate"]


def test_demo_json_has_every_url_and_credential_and_secrets_are_0600(up: Up) -> None:
    demo, idp = up.demo, up.demo["idp"]
    assert demo["gateway"]["url"] == f"http://localhost:{up.proxy}"
    assert demo["urls"]["IdP issuer"] == idp["issuer"]
    assert idp["issuer"].endswith("/" + idp["pool_id"])
    assert demo["urls"]["IdP discovery"] == f"{idp['issuer']}/.well-known/openid-configuration"
    assert httpx.get(idp["discovery"]).json()["issuer"] == idp["issuer"]
    assert {"gateway proxy", "admin API", "echo upstream", "IdP hosted login"} <= set(demo["urls"])
    assert (idp["pool_name"], idp["domain"], idp["client_name"]) == (
        "kongpool",
        "kongidp",
        "kong-api",
    )
    assert idp["service_client"]["client_name"] == "kong-service"
    assert idp["user"]["username"] == "demo@example.com"
    assert demo["browser"][0].startswith(f"Open {up.bar} ")
    for name in ("demo.json", "session-secret", "idp-demo-password", "idp-key-secret"):
        assert stat.S_IMODE(os.stat(up.state / name).st_mode) == 0o600, name
    # The IdP's private signing keys are sealed at rest with idp-key-secret.
    with contextlib.closing(sqlite3.connect(up.state / "idp.db")) as db:
        stored = [row[0] for row in db.execute("SELECT private_jwk FROM signing_keys")]
    assert stored
    assert all('"authgate-sealed-jwk-v1"' in jwk and '"d"' not in jwk for jwk in stored)
    assert httpx.get(f"{demo['gateway']['admin']}/status").status_code == 200


def _sign_in(browser: httpx.Client, page: httpx.Response, user: dict[str, Any]) -> httpx.Response:
    """Fill the hosted login form on ``page``; the IdP's answer (redirects followed or not)."""
    csrf, action = form_fields(page.text)
    form = {"username": user["username"], "password": user["password"], "_csrf": csrf}
    return browser.post(urljoin(str(page.url), action), data=form, headers=NAV)


def test_the_printed_hosted_login_url_opens_the_login_page(up: Up) -> None:
    url = up.demo["urls"]["IdP hosted login"]
    assert url in up.process.log()
    query = parse_qs(urlsplit(url).query)
    assert query["client_id"] == [up.demo["idp"]["client_id"]]
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == [up.bar]
    assert "openid" in query["scope"][0].split()
    with httpx.Client(follow_redirects=True) as browser:
        page = browser.get(url, headers=NAV)
        assert page.status_code == 200, page.text
        assert "<form" in page.text
        assert 'name="password"' in page.text
        # Signed in there, the browser comes back to /bar and the gateway lets it through.
        landed = _sign_in(browser, page, up.demo["idp"]["user"])
        assert landed.status_code == 200, landed.text
        assert urlsplit(str(landed.url)).path == "/bar"
        api = browser.get(up.bar, headers={"Accept": "application/json"})  # same session
        assert _echoed_headers(api)["x-authenticated-user"] == up.demo["idp"]["user"]["sub"]


def test_the_logout_url_in_the_banner_and_demo_json_signs_out(up: Up) -> None:
    logout = up.demo["gateway"]["logout"]
    assert logout == f"{up.bar}/logout"
    assert up.demo["urls"]["sign out (gateway logout)"] == logout
    assert logout in up.process.log()
    with httpx.Client() as browser:
        start = browser.get(up.bar, headers=NAV)
        assert start.status_code == 302
        page = browser.get(start.headers["location"], headers=NAV, follow_redirects=True)
        signed_in = _sign_in(browser, page, up.demo["idp"]["user"])
        assert signed_in.status_code in (302, 303), signed_in.text
        callback = signed_in.headers["location"]
        assert browser.get(callback, headers=NAV, follow_redirects=True).status_code == 200
        assert browser.get(up.bar, headers=NAV).status_code == 200  # signed in
        signed_out = browser.get(logout, headers=NAV, follow_redirects=True)
        assert signed_out.status_code == 200, signed_out.text
        again = browser.get(up.bar, headers=NAV)
        assert again.status_code == 302  # the session is gone: sign in again
        assert again.headers["location"].startswith(
            up.demo["idp"]["endpoints"]["authorization_endpoint"]
        )


def test_sigterm_exits_0_and_leaves_no_child_process(up: Up) -> None:
    children = up.descendants()
    assert len(children) >= 4  # IdP, echo, gateway supervisor and its worker
    up.process.send_signal(signal.SIGTERM)
    assert up.process.proc is not None
    assert up.process.proc.wait(30) == 0
    for pid in children:
        status = Path(f"/proc/{pid}/status")
        assert not status.exists() or "zombie" in status.read_text(), pid


def test_second_up_keeps_client_password_and_session_secret(up: Up, ports: dict[str, int]) -> None:
    up.process.stop(30)  # already stopped by the SIGTERM test when the module runs in order
    secret = (up.state / "session-secret").read_text()
    key_secret = (up.state / "idp-key-secret").read_text()
    again = _start_up(up.state, ports)
    try:
        first, second = up.demo["idp"], again.demo["idp"]
        assert second["seed_changed"] == []
        for key in ("pool_id", "client_id", "client_secret", "service_client", "user"):
            assert second[key] == first[key], key
        assert (up.state / "session-secret").read_text() == secret
        assert (up.state / "idp-key-secret").read_text() == key_secret
        user = second["user"]
        assert httpx.get(again.bar, auth=(user["username"], user["password"])).status_code == 200
    finally:
        assert again.process.stop(30) == 0
