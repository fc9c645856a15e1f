"""``POST /config`` in every form Kong takes, sent by the real ``curl`` as users send it."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from admin_configs import admin_config

from authgate.testing.gateway import Gateway, start_gateway

CURL = shutil.which("curl")
needs_curl = pytest.mark.skipif(CURL is None, reason="curl is not installed")


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, echo_port: int) -> Iterator[Gateway]:
    """A gateway of its own: these tests replace its configuration."""
    config = tmp_path_factory.mktemp("forms") / "kong.yaml"
    config.write_text(admin_config(echo_port))
    started = start_gateway(config, workers=1)
    yield started
    started.stop()


def _variant(echo_port: int, marker: str) -> str:
    """The admin config plus a route named ``marker``: which text was loaded is visible."""
    return admin_config(echo_port) + f"routes:\n  - name: {marker}\n    paths: [/{marker}]\n"


def _curl(*args: str) -> tuple[int, str]:
    assert CURL is not None
    done = subprocess.run(
        [CURL, "-sS", "-o", "-", "-w", "\n%{http_code}", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    body, _, status = done.stdout.rpartition("\n")
    return int(status), body


def _version(gateway: Gateway) -> int:
    status = httpx.get(gateway.admin + "/status", timeout=10).json()
    version: int = status["configuration_version"]
    return version


def _has_route(gateway: Gateway, name: str) -> bool:
    return httpx.get(f"{gateway.admin}/routes/{name}", timeout=10).status_code == 200


@needs_curl
@pytest.mark.parametrize(
    ("form", "args"),
    [
        # The README's command: a raw body, which curl labels x-www-form-urlencoded.
        ("raw", ["-X", "POST", "--data-binary", "@{yaml}"]),
        ("multipart", ["-F", "config=@{yaml}"]),
        ("urlencoded field", ["--data-urlencode", "config@{yaml}"]),
        ("json document", ["-H", "Content-Type: application/json", "--data-binary", "@{json}"]),
        ("json config key", ["-H", "Content-Type: application/json", "--data-binary", "@{wrap}"]),
    ],
)
def test_curl_posts_the_file_in_each_of_kongs_forms(
    gateway: Gateway, echo_port: int, tmp_path: Path, form: str, args: list[str]
) -> None:
    marker = "v-" + form.replace(" ", "-")
    text = _variant(echo_port, marker)
    files = {"yaml": tmp_path / "kong.yaml", "json": tmp_path / "kong.json"}
    files["yaml"].write_text(text)
    files["json"].write_text(json.dumps(yaml.safe_load(text)))
    files["wrap"] = tmp_path / "wrapped.json"
    files["wrap"].write_text(json.dumps({"config": text}))
    argv = [arg.format(**{k: str(v) for k, v in files.items()}) for arg in args]
    status, body = _curl(*argv, f"{gateway.admin}/config")
    assert status == 201, body
    assert _has_route(gateway, marker)


@needs_curl
def test_a_yaml_file_that_looks_like_a_form_is_still_the_file(
    gateway: Gateway, echo_port: int, tmp_path: Path
) -> None:
    text = _variant(echo_port, "looks-like-a-form").replace(
        "down for maintenance", "see http://status.example/?a=1&config=2"
    )
    path = tmp_path / "kong.yaml"
    path.write_text(text)
    status, body = _curl("--data-binary", f"@{path}", f"{gateway.admin}/config")
    assert status == 201, body
    plugin = httpx.get(f"{gateway.admin}/plugins/maintenance", timeout=10).json()
    assert plugin["config"]["message"] == "see http://status.example/?a=1&config=2"


def test_check_hash_answers_304_for_the_config_being_served(
    gateway: Gateway, echo_port: int
) -> None:
    text = _variant(echo_port, "hashed")
    assert httpx.post(gateway.admin + "/config", content=text).status_code == 201
    before = _version(gateway)
    same = httpx.post(gateway.admin + "/config?check_hash=1", content=text)
    assert same.status_code == 304
    assert _version(gateway) == before
    other = httpx.post(gateway.admin + "/config?check_hash=1", content=_variant(echo_port, "h2"))
    assert other.status_code == 201
    assert _version(gateway) == before + 1


def test_flatten_errors_groups_problems_by_entity(gateway: Gateway, echo_port: int) -> None:
    text = admin_config(echo_port).replace("paths: [/baz]", "paths: [baz]")
    text = text.replace("retries: 0", "retries: -1")
    before = _version(gateway)
    response = httpx.post(gateway.admin + "/config?flatten_errors=1", content=text)
    assert response.status_code == 400
    answer = response.json()
    assert answer["name"] == "invalid declarative configuration"
    by_name = {entry["entity_name"]: entry for entry in answer["flattened_errors"]}
    assert by_name["baz"]["entity_type"] == "route"
    assert by_name["baz"]["errors"][0]["type"] == "field"
    assert by_name["baz"]["errors"][0]["field"].startswith("paths")
    assert by_name["dead"]["entity_type"] == "service"
    assert by_name["dead"]["errors"][0]["field"] == "retries"
    assert _version(gateway) == before
    plain = httpx.post(gateway.admin + "/config", content=text).json()
    assert "flattened_errors" not in plain


@pytest.mark.parametrize(
    ("kwargs", "status", "message"),
    [
        (
            {"content": b"", "headers": {"content-type": "application/x-www-form-urlencoded"}},
            400,
            "empty body: send a declarative configuration (YAML or JSON)",
        ),
        ({"data": {"config": "   "}}, 400, "empty body"),
        ({"files": {"other": ("kong.yml", b"x")}}, 400, "form field 'config' is required"),
        ({"json": {"config": 7}}, 400, "declarative config is invalid"),
        ({"data": {"other": "x"}}, 400, "declarative config is invalid"),
        (
            {"content": b"services: [", "headers": {"content-type": "application/json"}},
            400,
            "declarative config is invalid",
        ),
    ],
)
def test_bodies_without_a_usable_config_are_400(
    gateway: Gateway, kwargs: dict[str, object], status: int, message: str
) -> None:
    before = _version(gateway)
    response = httpx.post(gateway.admin + "/config", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert message in response.json()["message"]
    assert _version(gateway) == before
