"""Kong's claims rules: OR across entries, AND within an entry, nested paths, forbidden claims."""

from __future__ import annotations

from typing import Any

import pytest

from authgate.plugins.openid_connect.errors import InsufficientScopeError
from authgate.plugins.openid_connect.rs.claims import check_forbidden, required_rules

TOKEN: dict[str, Any] = {
    "scope": "openid email orders:read",
    "aud": ["api-a", "api-b"],
    "client_id": "kong-api",
    "cognito:groups": ["admins", "ops"],
    "realm_access": {"roles": ["viewer", "editor"]},
    "deep": {"a": {"b": "x y"}},
}


@pytest.mark.parametrize(
    ("path", "required", "allowed"),
    [
        (["scope"], ["openid"], True),
        (["scope"], ["openid email"], True),
        (["scope"], ["openid admin"], False),
        (["scope"], ["admin", "orders:read"], True),
        (["scope"], ["admin", "orders:write"], False),
        (["aud"], ["api-b"], True),
        (["aud"], ["api-c"], False),
        (["client_id"], ["kong-api"], True),
        (["client_id"], ["other"], False),
        (["cognito:groups"], ["admins ops"], True),
        (["cognito:groups"], ["admins dev", "ops"], True),
        (["realm_access", "roles"], ["editor"], True),
        (["realm_access", "roles"], ["owner"], False),
        (["deep", "a", "b"], ["y x"], True),
        (["missing", "path"], ["x"], False),
    ],
)
def test_required_claims(path: list[str], required: list[str], allowed: bool) -> None:
    rules = required_rules([("scopes", path, required)])
    if allowed:
        rules[0].check(TOKEN)
    else:
        with pytest.raises(InsufficientScopeError):
            rules[0].check(TOKEN)


def test_unset_requirements_make_no_rule() -> None:
    assert required_rules([("scopes", ["scope"], None), ("roles", ["roles"], [])]) == ()


@pytest.mark.parametrize(("forbidden", "allowed"), [(["act"], True), (["client_id"], False)])
def test_claims_forbidden(forbidden: list[str], allowed: bool) -> None:
    if allowed:
        check_forbidden(TOKEN, forbidden)
    else:
        with pytest.raises(InsufficientScopeError):
            check_forbidden(TOKEN, forbidden)
