"""OpenID Connect Discovery 1.0 §3-4: where the metadata is and what it must say.

No I/O here (:mod:`.provider` fetches). The ``issuer`` setting may be the issuer or its
discovery URL, as in Kong; the document's ``issuer`` must be exactly the issuer the URL was
derived from (§4.3), which stops one provider from impersonating another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["WELL_KNOWN", "Metadata", "discovery_url", "expected_issuer", "parse_metadata"]

WELL_KNOWN = "/.well-known/openid-configuration"


def discovery_url(issuer: str) -> str:
    """The discovery document URL for an ``issuer`` setting."""
    if "/.well-known/" in issuer:
        return issuer
    return issuer.rstrip("/") + WELL_KNOWN


def expected_issuer(issuer: str) -> str:
    """The issuer a discovery document fetched for ``issuer`` must name."""
    if issuer.endswith(WELL_KNOWN):
        return issuer[: -len(WELL_KNOWN)]
    return issuer


@dataclass(frozen=True, slots=True)
class Metadata:
    """The provider metadata the plugin uses."""

    issuer: str
    jwks_uri: str | None
    token_endpoint: str | None
    introspection_endpoint: str | None
    userinfo_endpoint: str | None
    authorization_endpoint: str | None = None
    revocation_endpoint: str | None = None
    end_session_endpoint: str | None = None
    code_challenge_methods: tuple[str, ...] = ()


def _optional_url(document: dict[str, Any], name: str) -> str | None:
    value = document.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise ValueError(f"{name} is not an http(s) URL")
    return value


def parse_metadata(document: object, issuer_setting: str) -> Metadata:
    """Validate a discovery document; ValueError says what is wrong with it."""
    if not isinstance(document, dict):
        raise ValueError("discovery document is not a JSON object")
    issuer = document.get("issuer")
    if not isinstance(issuer, str):
        raise ValueError("discovery document has no issuer")
    expected = expected_issuer(issuer_setting)
    if issuer.rstrip("/") != expected.rstrip("/"):
        raise ValueError(f"discovery issuer {issuer!r} does not match {expected!r}")
    return Metadata(
        issuer=issuer,
        jwks_uri=_optional_url(document, "jwks_uri"),
        token_endpoint=_optional_url(document, "token_endpoint"),
        introspection_endpoint=_optional_url(document, "introspection_endpoint"),
        userinfo_endpoint=_optional_url(document, "userinfo_endpoint"),
        authorization_endpoint=_optional_url(document, "authorization_endpoint"),
        revocation_endpoint=_optional_url(document, "revocation_endpoint"),
        end_session_endpoint=_optional_url(document, "end_session_endpoint"),
        code_challenge_methods=_strings(document, "code_challenge_methods_supported"),
    )


def _strings(document: dict[str, Any], name: str) -> tuple[str, ...]:
    value = document.get(name)
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, str))
