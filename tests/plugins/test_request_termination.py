"""request-termination: schema rules, then every field through the proxy."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from authgate.config import ConfigError, load_config_text
from authgate.plugins.registry import plugin_schemas
from authgate.plugins.request_termination import RequestTerminationConfig
from authgate.testing.in_process import Gateway, running_gateway
from authgate.testing.raw_client import send_get
from plugins.schema_problems import problems

INVALID = [
    ({"status_code": 99}, [("config.status_code", "must be at least 100")]),
    ({"status_code": 600}, [("config.status_code", "must be at most 599")]),
    ({"status_code": "503"}, [("config.status_code", "must be an integer")]),
    (
        {"message": "m", "body": "b"},
        [("config.message", "cannot be used with content_type or body")],
    ),
    ({"content_type": "text/plain"}, [("config.content_type", "requires a body")]),
    ({"echo": True, "body": "b"}, [("config.echo", "cannot be used with content_type or body")]),
    ({"trigger": "bad header"}, [("config.trigger", 'invalid header name "bad header"')]),
    ({"mesage": "m"}, [("config.mesage", 'unknown field (did you mean "message"?)')]),
    ({"nonsense": 1}, [("config.nonsense", "unknown field")]),
]


@pytest.mark.parametrize(("config", "expected"), INVALID, ids=[str(c) for c, _ in INVALID])
def test_invalid_config_is_rejected_with_a_clear_message(
    config: dict[str, object], expected: list[tuple[str, str]]
) -> None:
    assert problems(RequestTerminationConfig, config) == expected


def test_every_problem_is_reported_at_once() -> None:
    """Kong's custom_validator stops at the first broken rule; authgate reports them all,
    with the field errors, and the rules whose fields are valid still run."""
    config = {
        "status_code": 99,
        "mesage": "typo",
        "message": "m",
        "content_type": "text/plain",
        "echo": True,
    }
    assert problems(RequestTerminationConfig, config) == [
        ("config.status_code", "must be at least 100"),
        ("config.mesage", 'unknown field (did you mean "message"?)'),
        ("config.message", "cannot be used with content_type or body"),
        ("config.content_type", "requires a body"),
        ("config.echo", "cannot be used with content_type or body"),
    ]


def test_a_rule_is_not_run_on_an_invalid_field() -> None:
    assert problems(RequestTerminationConfig, {"content_type": 5}) == [
        ("config.content_type", "must be a string")
    ]


def test_defaults_follow_kong() -> None:
    config = RequestTerminationConfig()
    assert (config.status_code, config.message, config.body, config.echo, config.trigger) == (
        503,
        None,
        None,
        False,
        None,
    )


def test_config_file_error_names_the_plugin_key() -> None:
    text = (
        '_format_version: "3.0"\nplugins:\n  - name: request-termination\n'
        "    config: {content_type: text/plain}\n"
    )
    with pytest.raises(ConfigError) as info:
        load_config_text(text, plugin_schemas(), source="kong.yaml")
    assert str(info.value) == ("kong.yaml:4:14: plugins[0].config.content_type: requires a body")


def _config(echo_port: int, plugin_config: str, enabled: bool = True, scope: str = "route") -> str:
    plugin = (
        "    - name: request-termination\n"
        f"      enabled: {str(enabled).lower()}\n"
        f"      config: {plugin_config}\n"
    )
    route_plugins = (
        f"        plugins:\n{'    ' + plugin.replace(chr(10) + '    ', chr(10) + '        ')}"
        if scope == "route"
        else ""
    )
    return (
        '_format_version: "3.0"\nservices:\n  - name: echo\n'
        f"    url: http://127.0.0.1:{echo_port}\n    routes:\n"
        f"      - name: closed\n        paths: [/closed]\n{route_plugins}"
        "      - name: open\n        paths: [/open]\n"
        + (f"plugins:\n{plugin}" if scope == "global" else "")
    )


@pytest.fixture
async def gateway(echo_port: int) -> AsyncIterator[Gateway]:
    async with running_gateway(_config(echo_port, "{}")) as gw:
        yield gw


async def test_default_answer_is_503_service_unavailable_json(gateway: Gateway) -> None:
    response = await send_get(gateway.port, "/closed")
    assert response.status == 503
    assert response.header("content-type") == "application/json; charset=utf-8"
    assert response.json() == {
        "message": "Service unavailable",
        "request_id": response.header("x-request-id"),
    }
    assert response.header(
        "server",
    ).startswith("authgate/")  # type: ignore[union-attr]
    assert response.header("x-authgate-response-latency") is not None
    assert gateway.records[-1].status == 503
    assert gateway.records[-1].upstream_latency_ms is None


async def test_other_routes_are_still_proxied(gateway: Gateway) -> None:
    response = await send_get(gateway.port, "/open")
    assert response.status == 200
    assert response.header("x-authgate-upstream-latency") is not None


async def test_status_code_and_message(gateway: Gateway, echo_port: int) -> None:
    gateway.load(_config(echo_port, '{status_code: 403, message: "go away"}'))
    response = await send_get(gateway.port, "/closed")
    assert response.status == 403
    assert response.json() == {"message": "go away", "request_id": response.header("x-request-id")}


async def test_body_with_content_type(gateway: Gateway, echo_port: int) -> None:
    gateway.load(
        _config(echo_port, '{status_code: 418, body: "<p>teapot</p>", content_type: "text/html"}')
    )
    response = await send_get(gateway.port, "/closed")
    assert response.status == 418
    assert response.header("content-type") == "text/html"
    assert response.body == b"<p>teapot</p>"


async def test_echo_describes_the_request(gateway: Gateway, echo_port: int) -> None:
    gateway.load(_config(echo_port, "{status_code: 200, echo: true}"))
    response = await send_get(gateway.port, "/closed/x?a=1&a=2&b=", "X-Probe: yes\r\n")
    echoed = response.json()
    assert isinstance(echoed, dict)
    assert echoed["request"]["path"] == "/closed/x"
    assert echoed["request"]["query"] == {"a": ["1", "2"], "b": ""}
    assert echoed["request"]["headers"]["x-probe"] == "yes"
    assert echoed["matched_route"]["name"] == "closed"
    assert echoed["matched_service"]["name"] == "echo"
    assert echoed["matched_consumer"] is None


@pytest.mark.parametrize(
    ("target", "headers", "terminated"),
    [
        ("/closed", "X-Maintenance: 1\r\n", True),
        ("/closed?x-maintenance", "", True),
        ("/closed", "", False),
        ("/closed?other=1", "X-Other: 1\r\n", False),
    ],
)
async def test_trigger_terminates_only_requests_carrying_it(
    gateway: Gateway, echo_port: int, target: str, headers: str, terminated: bool
) -> None:
    gateway.load(_config(echo_port, "{trigger: x-maintenance}"))
    response = await send_get(gateway.port, target, headers)
    assert response.status == (503 if terminated else 200)


async def test_disabled_plugin_does_not_run(gateway: Gateway, echo_port: int) -> None:
    gateway.load(_config(echo_port, "{}", enabled=False))
    assert (await send_get(gateway.port, "/closed")).status == 200


async def test_global_plugin_terminates_every_route(gateway: Gateway, echo_port: int) -> None:
    gateway.load(_config(echo_port, "{status_code: 410}", scope="global"))
    assert (await send_get(gateway.port, "/closed")).status == 410
    assert (await send_get(gateway.port, "/open")).status == 410
