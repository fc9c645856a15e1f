"""Certificates and SNIs: Kong's fields, rules and messages, every bad value at its path."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from authgate.config import ConfigError, load_config_text
from authgate.config.certificates import load_private_key
from authgate.proxy.self_signed import self_signed_pem

from .issues import issues_of
from .schemas import SCHEMAS

EC_CERT, EC_KEY = (b.decode() for b in self_signed_pem("ec", ["api.example.com"]))
OTHER_CERT, OTHER_KEY = (b.decode() for b in self_signed_pem("other", ["x.example.com"]))
RSA_CERT, RSA_KEY = (b.decode() for b in self_signed_pem("rsa", ["api.example.com"], "rsa"))
ENCRYPTED_KEY = (
    load_private_key(EC_KEY)
    .private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    .decode()
)
BAD_PEM = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"
UNKNOWN_ID = "0b7b7c1e-4d6f-4a55-9f1e-2b5a8f3c9d10"
ALL_OR_NONE = "all or none of these fields must be set: 'cert_alt', 'key_alt'"
WHOLE_LABEL = 'the wildcard must be a whole label: "*.example.com" or "example.*"'
SAME_TYPE = (
    "certificate and alternative certificate need to have different type (e.g. RSA and"
    " ECDSA), the provided certificates were both of the same type (ECDSA)"
)


def doc(**root: Any) -> str:
    """A config with these root keys, written as JSON (which is YAML too)."""
    return json.dumps({"_format_version": "3.0", **root})


def cert(snis: list[Any] | None = None, **fields: Any) -> dict[str, Any]:
    return {"cert": EC_CERT, "key": EC_KEY, **({"snis": snis} if snis else {}), **fields}


def at(path: str, message: str) -> list[tuple[str, str]]:
    return [(path, message)]


def sni_name_case(name: str, message: str) -> tuple[str, str, list[tuple[str, str]]]:
    return (
        f"sni {name}",
        doc(certificates=[cert([name])]),
        at("certificates[0].snis[0].name", message),
    )


CASES: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "certificate that is not PEM",
        doc(certificates=[cert(cert=BAD_PEM)]),
        at("certificates[0].cert", "invalid certificate: not a PEM certificate chain"),
    ),
    (
        "key that is not PEM",
        doc(certificates=[cert(key="not a key")]),
        at("certificates[0].key", "invalid key: not a PEM private key"),
    ),
    (
        "encrypted key",
        doc(certificates=[cert(key=ENCRYPTED_KEY)]),
        at("certificates[0].key", "invalid key: encrypted keys are not supported"),
    ),
    (
        "key of another certificate",
        doc(certificates=[cert(key=OTHER_KEY)]),
        at("certificates[0].key", "certificate does not match key"),
    ),
    (
        "cert_alt without key_alt",
        doc(certificates=[cert(cert_alt=RSA_CERT)]),
        at("certificates[0].key_alt", ALL_OR_NONE),
    ),
    (
        "key_alt without cert_alt",
        doc(certificates=[cert(key_alt=RSA_KEY)]),
        at("certificates[0].cert_alt", ALL_OR_NONE),
    ),
    (
        "alternative of the same key type",
        doc(certificates=[cert(cert_alt=OTHER_CERT, key_alt=OTHER_KEY)]),
        at("certificates[0].cert_alt", SAME_TYPE),
    ),
    (
        "alternative key of another certificate",
        doc(certificates=[cert(cert_alt=RSA_CERT, key_alt=EC_KEY)]),
        at("certificates[0].key_alt", "alternative certificate does not match key"),
    ),
    sni_name_case("api.example.com:8443", "must not have a port"),
    sni_name_case("*.example.com:443", "must not have a port"),
    sni_name_case("10.0.0.1", "must not be an IP"),
    sni_name_case("::1", "must not be an IP"),
    sni_name_case("api..example.com", "invalid value: api..example.com"),
    sni_name_case("", "invalid value: "),
    sni_name_case("*.example.*", "only one wildcard must be specified"),
    sni_name_case("api.*.com", "wildcard must be leftmost or rightmost character"),
    sni_name_case("*example.com", WHOLE_LABEL),
    (
        "sni name used twice across certificates",
        doc(
            certificates=[
                cert(["api.example.com"]),
                {"cert": OTHER_CERT, "key": OTHER_KEY, "snis": [{"name": "API.example.com"}]},
            ]
        ),
        at(
            "certificates[1].snis[0].name",
            'sni name "api.example.com" is already used by certificates[0].snis[0]',
        ),
    ),
    (
        "top-level sni of an unknown certificate",
        doc(
            certificates=[cert()],
            snis=[{"name": "a.example.com", "certificate": {"id": UNKNOWN_ID}}],
        ),
        at("snis[0].certificate", f'no certificate with id "{UNKNOWN_ID}"'),
    ),
    (
        "top-level sni without a certificate",
        doc(snis=[{"name": "a.example.com"}]),
        at("snis[0].certificate", "required; give the id of the sni's certificate"),
    ),
    (
        "nested sni naming a certificate",
        doc(certificates=[cert([{"name": "a.example.com", "certificate": UNKNOWN_ID}])]),
        at(
            "certificates[0].snis[0].certificate",
            "remove it; a nested sni belongs to its certificate",
        ),
    ),
    (
        "certificate without key",
        doc(certificates=[{"cert": EC_CERT}]),
        at("certificates[0].key", "required"),
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_certificates_are_refused_at_their_path(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert issues_of(text) == expected


def test_every_problem_is_reported_in_one_pass() -> None:
    text = doc(
        certificates=[cert(["a.example.com:1"], key=OTHER_KEY), cert(key="x")],
        snis=[{"name": "a..b", "certificate": UNKNOWN_ID}],
    )
    assert [path for path, _ in issues_of(text)] == [
        "certificates[0].key",
        "certificates[0].snis[0].name",
        "certificates[1].key",
        "snis[0].name",
        "snis[0].certificate",
    ]


def test_nested_and_top_level_snis_are_linked_to_their_certificate() -> None:
    text = doc(
        certificates=[
            cert(["API.example.com", {"name": "*.example.com", "tags": ["w"]}], tags=["main"]),
            {
                "id": UNKNOWN_ID,
                "cert": RSA_CERT,
                "key": RSA_KEY,
                "cert_alt": EC_CERT,
                "key_alt": EC_KEY,
            },
        ],
        snis=[
            {"name": "example.*", "certificate": {"id": UNKNOWN_ID}},
            {"name": "*", "certificate": UNKNOWN_ID},
        ],
    )
    config = load_config_text(text, SCHEMAS)
    first, dual = config.certificates
    assert first.snis == ["api.example.com", "*.example.com"]
    assert first.tags == ["main"]
    assert dual.id == UNKNOWN_ID
    assert dual.snis == ["example.*", "*"]
    assert [(s.name, s.certificate, s.tags) for s in config.snis] == [
        ("api.example.com", first.id, []),
        ("*.example.com", first.id, ["w"]),
        ("example.*", UNKNOWN_ID, []),
        ("*", UNKNOWN_ID, []),
    ]


def test_generated_ids_are_stable_and_follow_the_first_sni_name() -> None:
    one = load_config_text(doc(certificates=[cert(["a.example.com"])]), SCHEMAS)
    moved = load_config_text(
        doc(certificates=[cert(["b.example.com"]), cert(["a.example.com"])]), SCHEMAS
    )
    assert one.certificates[0].id == moved.certificates[1].id
    assert one.snis[0].id == moved.snis[1].id
    uuid.UUID(one.certificates[0].id)


def test_cert_and_key_may_be_vault_references() -> None:
    text = doc(certificates=[{"cert": "{vault://env/tls-cert}", "key": "{vault://env/TLS_KEY}"}])
    config = load_config_text(text, SCHEMAS, environ={"TLS_CERT": EC_CERT, "TLS_KEY": EC_KEY})
    assert config.certificates[0].key == EC_KEY
    with pytest.raises(ConfigError) as info:
        load_config_text(text, SCHEMAS, environ={"TLS_CERT": EC_CERT})
    assert [tuple(i) for i in info.value.issues] == [
        ("certificates[0].key", "environment variable TLS_KEY is not set (from {vault://env/TLS_KEY})")
    ]  # fmt: skip


def test_the_private_key_is_not_in_the_repr() -> None:
    config = load_config_text(doc(certificates=[cert(["a.example.com"])]), SCHEMAS)
    assert "PRIVATE KEY" not in repr(config)
    assert "PRIVATE KEY" not in str(ConfigError([]))
