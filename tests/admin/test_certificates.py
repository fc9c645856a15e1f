"""GET /certificates and /snis in Kong's shapes, never with a private key."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from authgate.testing.certs import self_signed
from authgate.testing.gateway import Gateway, start_gateway
from authgate.testing.processes import free_port

DUAL_ID = "3f2b8c1a-6d4e-4f7a-9b0c-1e2d3f4a5b6c"


@pytest.fixture(scope="module")
def pems(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("pems")
    ec = self_signed(folder, "ec", names=("api.example.com",))
    rsa = self_signed(folder, "rsa", names=("dual.example.net",), key_kind="rsa")
    ec2 = self_signed(folder, "ec2", names=("dual.example.net",))
    files = {"ec": ec, "rsa": rsa, "ec2": ec2}
    return {
        f"{name}_{part}": getattr(f, part).read_text()
        for name, f in files.items()
        for part in ("cert", "key")
    }


def _config(echo_port: int, pems: dict[str, str]) -> str:
    return json.dumps(
        {
            "_format_version": "3.0",
            "services": [{"name": "echo", "url": f"http://127.0.0.1:{echo_port}"}],
            "certificates": [
                {"cert": pems["ec_cert"], "key": pems["ec_key"], "tags": ["main"],
                 "snis": ["api.example.com", {"name": "*.example.com", "tags": ["w"]}]},
                {"id": DUAL_ID, "cert": pems["rsa_cert"], "key": pems["rsa_key"],
                 "cert_alt": pems["ec2_cert"], "key_alt": pems["ec2_key"]},
            ],
            "snis": [{"name": "dual.example.net", "certificate": {"id": DUAL_ID}}],
        }
    )  # fmt: skip


@pytest.fixture(scope="module")
def cert_gateway(
    tmp_path_factory: pytest.TempPathFactory, echo_port: int, pems: dict[str, str]
) -> Iterator[Gateway]:
    config = tmp_path_factory.mktemp("certs") / "kong.yaml"
    config.write_text(_config(echo_port, pems))
    gateway = start_gateway(config, workers=1, args=("--tls-listen", f"127.0.0.1:{free_port()}"))
    yield gateway
    gateway.stop()


def test_certificates_are_listed_without_their_private_keys(
    cert_gateway: Gateway, pems: dict[str, str]
) -> None:
    response = httpx.get(cert_gateway.admin + "/certificates")
    assert response.status_code == 200
    assert "PRIVATE KEY" not in response.text
    body = response.json()
    assert body["next"] is None
    first, dual = body["data"]
    assert set(first) == {"id", "cert", "cert_alt", "snis", "tags"}
    assert first["cert"] == pems["ec_cert"]
    assert first["cert_alt"] is None
    assert first["snis"] == ["api.example.com", "*.example.com"]
    assert first["tags"] == ["main"]
    assert dual["id"] == DUAL_ID
    assert dual["cert_alt"] == pems["ec2_cert"]
    assert dual["snis"] == ["dual.example.net"]


def test_a_certificate_is_found_by_id_or_by_one_of_its_sni_names(cert_gateway: Gateway) -> None:
    by_id = httpx.get(f"{cert_gateway.admin}/certificates/{DUAL_ID}")
    by_name = httpx.get(f"{cert_gateway.admin}/certificates/dual.example.net")
    assert by_id.status_code == by_name.status_code == 200
    assert by_id.json() == by_name.json()
    assert by_id.json()["id"] == DUAL_ID
    assert "key" not in by_id.json()
    assert "key_alt" not in by_id.json()
    assert httpx.get(f"{cert_gateway.admin}/certificates/nope.example").status_code == 404


def test_snis_are_listed_with_their_certificate_id(cert_gateway: Gateway) -> None:
    body = httpx.get(cert_gateway.admin + "/snis").json()
    first_id = httpx.get(cert_gateway.admin + "/certificates").json()["data"][0]["id"]
    assert [(s["name"], s["certificate"], s["tags"]) for s in body["data"]] == [
        ("api.example.com", {"id": first_id}, []),
        ("*.example.com", {"id": first_id}, ["w"]),
        ("dual.example.net", {"id": DUAL_ID}, []),
    ]
    paged = httpx.get(cert_gateway.admin + "/snis", params={"size": "2"}).json()
    assert len(paged["data"]) == 2
    assert paged["next"] == "/snis?size=2&offset=2"


def test_an_sni_is_found_by_name_or_id(cert_gateway: Gateway) -> None:
    sni = httpx.get(cert_gateway.admin + "/snis/*.example.com").json()
    assert sni["name"] == "*.example.com"
    assert httpx.get(f"{cert_gateway.admin}/snis/{sni['id']}").json() == sni
    assert httpx.get(cert_gateway.admin + "/snis/other.test").status_code == 404


def test_the_answer_to_post_config_shows_certificates_without_keys(
    cert_gateway: Gateway, echo_port: int, pems: dict[str, str]
) -> None:
    posted = httpx.post(cert_gateway.admin + "/config", content=_config(echo_port, pems))
    assert posted.status_code == 201, posted.text
    assert "PRIVATE KEY" not in posted.text
    body = posted.json()
    assert [c["snis"] for c in body["certificates"]] == [
        ["api.example.com", "*.example.com"],
        ["dual.example.net"],
    ]
    assert [s["name"] for s in body["snis"]] == [
        "api.example.com",
        "*.example.com",
        "dual.example.net",
    ]
