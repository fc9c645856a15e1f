"""The config schema: Kong defaults, unsupported fields refused with a clear message."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from authgate.plugins.openid_connect.schema import OpenIDConnectConfig

ISSUER = "http://127.0.0.1:9000/pool"


def test_kong_defaults() -> None:
    config = OpenIDConnectConfig.model_validate({"issuer": ISSUER})
    assert config.hide_credentials is True
    assert config.leeway == 0
    assert config.rediscovery_lifetime == 30
    assert config.upstream_access_token_header == "authorization:bearer"
    assert len(config.auth_methods) == 9
    assert config.active_methods == {"bearer", "userinfo"}  # the rest need client_id


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("session_remember", True),
        ("authorization_query_args_names", ["prompt"]),
        ("proof_of_possession_dpop", "strict"),
        ("token_exchange", {"subject_token_issuers": []}),
    ],
)
def test_unsupported_fields_are_refused_unless_default(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=f"{field}: not supported by authgate yet"):
        OpenIDConnectConfig.model_validate({"issuer": ISSUER, field: value})


def test_unsupported_fields_at_kong_default_load() -> None:
    OpenIDConnectConfig.model_validate(
        {"issuer": ISSUER, "session_remember": False, "require_signed_request_object": None}
    )


def test_unknown_fields_and_cross_field_rules() -> None:
    with pytest.raises(ValidationError, match="extra"):
        OpenIDConnectConfig.model_validate({"issuer": ISSUER, "nonsense": 1})
    with pytest.raises(ValidationError, match="client_id is required"):
        OpenIDConnectConfig.model_validate({"issuer": ISSUER, "auth_methods": ["password"]})
    with pytest.raises(ValidationError, match="cannot be turned off"):
        OpenIDConnectConfig.model_validate({"issuer": ISSUER, "verify_signature": False})
    with pytest.raises(ValidationError, match="empty entry"):
        OpenIDConnectConfig.model_validate({"issuer": ISSUER, "scopes_required": [" "]})


def test_secrets_are_hidden_in_repr() -> None:
    config = OpenIDConnectConfig.model_validate(
        {"issuer": ISSUER, "client_id": ["id"], "client_secret": ["s3cret-value"]}
    )
    assert "s3cret-value" not in repr(config)
