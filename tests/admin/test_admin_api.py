"""The admin API as a Kong user sees it: node info, status, entities, /config."""

from __future__ import annotations

import httpx
import orjson
import pytest
import yaml
from admin_configs import admin_config

from authgate.testing.gateway import Gateway


def _get(gateway: Gateway, path: str) -> httpx.Response:
    return httpx.get(gateway.admin + path, timeout=10)


def test_root_describes_the_node(admin_gateway: Gateway) -> None:
    info = _get(admin_gateway, "/").json()
    assert info["version"]
    assert info["pid"] == admin_gateway.pid
    assert len(info["node_id"]) == 36
    assert info["hostname"]
    assert info["workers"]["configured"] == 2
    assert len(info["workers"]["pids"]) == 2
    assert info["configuration"]["database"] == "off"
    plugins = info["plugins"]
    assert plugins["available_on_server"]["request-termination"]["priority"] == 2
    assert plugins["enabled_in_cluster"] == ["request-termination"]


def test_status_aggregates_workers_and_hashes_the_config(admin_gateway: Gateway) -> None:
    for _ in range(3):
        assert httpx.get(admin_gateway.proxy + "/bar").status_code == 200
    status = _get(admin_gateway, "/status").json()
    assert len(status["configuration_hash"]) == 32
    assert len(status["workers"]) == 2
    assert status["server"]["total_requests"] == sum(w["requests"] for w in status["workers"])
    assert status["server"]["total_requests"] >= 3
    assert _get(admin_gateway, "/status/ready").json() == {"message": "ready"}


@pytest.mark.parametrize(
    ("kind", "names"),
    [
        ("services", ["echo", "other", "dead"]),
        ("routes", ["bar", "closed", "baz", "dead"]),
        ("consumers", [None]),
        ("plugins", ["request-termination"]),
    ],
)
def test_listings_have_kongs_page_shape(
    admin_gateway: Gateway, kind: str, names: list[str | None]
) -> None:
    page = _get(admin_gateway, f"/{kind}").json()
    assert page["next"] is None
    assert [entity.get("name") for entity in page["data"]] == names
    assert all(len(entity["id"]) == 36 for entity in page["data"])


def test_pages_follow_next_links(admin_gateway: Gateway) -> None:
    first = _get(admin_gateway, "/routes?size=2").json()
    assert [r["name"] for r in first["data"]] == ["bar", "closed"]
    assert first["next"] == "/routes?size=2&offset=2"
    second = _get(admin_gateway, first["next"]).json()
    assert [r["name"] for r in second["data"]] == ["baz", "dead"]
    assert second["next"] is None


def test_route_refers_to_its_service_by_id(admin_gateway: Gateway) -> None:
    service = _get(admin_gateway, "/services/echo").json()
    route = _get(admin_gateway, "/routes/bar").json()
    assert route["service"] == {"id": service["id"]}
    assert _get(admin_gateway, f"/routes/{route['id']}").json() == route


@pytest.mark.parametrize(
    ("path", "field", "value"),
    [
        ("/services/other", "name", "other"),
        ("/consumers/alice", "custom_id", "A-1"),
        ("/plugins/maintenance", "name", "request-termination"),
    ],
)
def test_entities_by_name(admin_gateway: Gateway, path: str, field: str, value: str) -> None:
    response = _get(admin_gateway, path)
    assert response.status_code == 200
    assert response.json()[field] == value


@pytest.mark.parametrize(
    ("method", "path", "status", "message"),
    [
        ("GET", "/services/nope", 404, "Not found"),
        ("GET", "/nowhere", 404, "Not found"),
        ("DELETE", "/services", 405, "Method not allowed"),
        ("GET", "/routes?size=0", 400, "size must be an integer between 1 and 1000"),
        ("GET", "/routes?size=abc", 400, "size must be an integer between 1 and 1000"),
        ("GET", "/routes?offset=99", 400, "invalid offset"),
        ("POST", "/config", 400, "empty body: send a declarative configuration (YAML or JSON)"),
    ],
)
def test_bad_requests_get_json_errors(
    admin_gateway: Gateway, method: str, path: str, status: int, message: str
) -> None:
    response = httpx.request(method, admin_gateway.admin + path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json()["message"] == message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"\xff\xfe not utf-8", "configuration must be UTF-8 encoded YAML or JSON"),
        (b"services: [unclosed", "declarative config is invalid"),
        (b'{"_format_version": "3.0", "services": 7}', "services"),
        (b"- just\n- a list\n", "declarative config is invalid"),
    ],
)
def test_unusable_config_is_refused_with_400(
    admin_gateway: Gateway, body: bytes, expected: str
) -> None:
    before = _get(admin_gateway, "/status").json()["configuration_version"]
    response = httpx.post(admin_gateway.admin + "/config", content=body)
    assert response.status_code == 400
    assert expected in response.json()["message"]
    assert _get(admin_gateway, "/status").json()["configuration_version"] == before


def test_config_round_trips_as_json_and_yaml(admin_gateway: Gateway, echo_port: int) -> None:
    text = admin_config(echo_port)
    assert _get(admin_gateway, "/config").json()["config"] == text
    before = _get(admin_gateway, "/status").json()
    as_json = orjson.dumps(yaml.safe_load(text))
    response = httpx.post(
        admin_gateway.admin + "/config",
        content=as_json,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 201
    loaded = response.json()
    assert [r["name"] for r in loaded["routes"]] == ["bar", "closed", "baz", "dead"]
    # Same content, so the same hash, but a new version.
    after = _get(admin_gateway, "/status").json()
    assert after["configuration_hash"] == before["configuration_hash"]
    assert after["configuration_version"] == before["configuration_version"] + 1
    restored = httpx.post(admin_gateway.admin + "/config", content=text)
    assert restored.status_code == 201
    assert _get(admin_gateway, "/config").json()["config"] == text
    assert httpx.get(admin_gateway.proxy + "/closed").status_code == 503


def test_config_is_accepted_as_kongs_form_upload(admin_gateway: Gateway, echo_port: int) -> None:
    text = admin_config(echo_port)
    # curl -F config=@kong.yml, as in Kong's DB-less documentation.
    uploaded = httpx.post(
        admin_gateway.admin + "/config", files={"config": ("kong.yml", text.encode())}
    )
    assert uploaded.status_code == 201, uploaded.text
    as_field = httpx.post(admin_gateway.admin + "/config", data={"config": text})
    assert as_field.status_code == 201, as_field.text
    # Without a ``config`` field the body is the file itself (Kong's raw-body fallback).
    missing = httpx.post(admin_gateway.admin + "/config", data={"other": text})
    assert missing.status_code == 400
    assert missing.json()["message"].startswith("declarative config is invalid")
    assert _get(admin_gateway, "/config").json()["config"] == text


@pytest.mark.parametrize(
    ("method", "headers", "message"),
    [
        # DNS rebinding: a foreign name resolving to 127.0.0.1.
        ("GET", {"Host": "attacker.example"}, "the admin API answers only to loopback host names"),
        # A cross-site form posting a config without a CORS preflight.
        ("POST", {"Origin": "http://attacker.example"}, "cross-origin requests are refused"),
        ("POST", {"Origin": "null"}, "cross-origin requests are refused"),
    ],
)
def test_browser_attacks_on_the_admin_api_are_refused(
    admin_gateway: Gateway, method: str, headers: dict[str, str], message: str
) -> None:
    before = _get(admin_gateway, "/status").json()["configuration_version"]
    response = httpx.request(
        method,
        admin_gateway.admin + "/config",
        headers={"Content-Type": "text/plain", **headers},
        content="_format_version: '3.0'\n",
    )
    assert response.status_code == 403
    assert response.json() == {"message": message}
    assert _get(admin_gateway, "/status").json()["configuration_version"] == before


def test_same_origin_and_localhost_requests_are_served(admin_gateway: Gateway) -> None:
    port = admin_gateway.admin.rsplit(":", 1)[1]
    assert httpx.get(admin_gateway.admin + "/", headers={"Host": f"localhost:{port}"}).is_success
    same = httpx.post(
        admin_gateway.admin + "/config",
        headers={"Origin": admin_gateway.admin},
        content=b"",
    )
    assert same.status_code == 400  # reached the handler: empty body
