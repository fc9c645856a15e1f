"""RFC 7519 §7.2 / RFC 9068 §4 validation of JWT access tokens, as a chain of small checks.

No I/O: the caller parses the token (:func:`parse_jwt`), finds the key for its ``kid``
(:mod:`..idp_client.jwks`), then calls :func:`verify_jwt`. Algorithms come from an explicit
allow-list (never ``none``; HS* only when enabled); the key's ``kty``, curve and ``alg`` must
match the header, so an RSA public key can never be used as an HMAC secret (PyJWT's DSA-3293).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from joserfc import jws
from joserfc.errors import JoseError

from authgate.plugins.openid_connect.errors import InvalidTokenError
from authgate.plugins.openid_connect.idp_client.jwks import Jwk
from authgate.plugins.openid_connect.rs.claims import claim_at, claim_values

__all__ = [
    "ASYMMETRIC_ALGORITHMS",
    "HMAC_ALGORITHMS",
    "MAX_HEADER_BYTES",
    "MAX_TOKEN_BYTES",
    "Jwk",
    "ParsedJwt",
    "VerifyPolicy",
    "looks_like_jwt",
    "parse_jwt",
    "unverified_claims",
    "verify_jwt",
]

MAX_TOKEN_BYTES = 16 * 1024
MAX_HEADER_BYTES = 2 * 1024
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
HMAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
_TYPES = frozenset({"jwt", "at+jwt", "application/jwt", "application/at+jwt"})
_CURVES = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}

_COMPACT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_PKCS1_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "RS256": hashes.SHA256,
    "RS384": hashes.SHA384,
    "RS512": hashes.SHA512,
}
_PKCS1 = padding.PKCS1v15()


def _kty_of(alg: str) -> str:
    if alg[:2] in ("RS", "PS"):
        return "RSA"
    if alg.startswith("ES"):
        return "EC"
    if alg == "EdDSA":
        return "OKP"
    return "oct"


@dataclass(frozen=True, slots=True)
class ParsedJwt:
    """A compact JWS split and its protected header decoded (signature not yet checked)."""

    token: str
    alg: str
    kid: str | None
    header: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class VerifyPolicy:
    """Everything that decides whether a JWT is valid; also part of the token cache key.

    ``key_source`` names where the verification keys come from (JWKS locations, a digest of
    the HMAC secrets), so a result verified with one set of keys is never a cache hit where
    another applies. ``fingerprint`` is computed once, here, not per request.
    """

    issuers: frozenset[str]
    algorithms: frozenset[str]
    leeway: int
    audience: frozenset[str]
    audience_claim: tuple[str, ...]
    key_source: str = ""
    fingerprint: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        text = repr(
            (
                sorted(self.issuers),
                sorted(self.algorithms),
                self.leeway,
                sorted(self.audience),
                self.audience_claim,
                self.key_source,
            )
        )
        object.__setattr__(self, "fingerprint", text)


def _b64decode(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise InvalidTokenError("malformed token") from None


def looks_like_jwt(token: str) -> bool:
    """Three dot-separated parts (anything else is an opaque token)."""
    return token.count(".") == 2


def unverified_claims(token: str | None) -> dict[str, Any]:
    """A JWT's payload read without verification; ``{}`` for opaque or malformed tokens.

    Only for tokens the gateway got from the provider itself, or to cache *less* long.
    """
    if token is None or not looks_like_jwt(token):
        return {}
    payload = token.split(".")[1]
    try:
        claims = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:  # binascii.Error and orjson.JSONDecodeError are ValueErrors
        return {}
    return claims if isinstance(claims, dict) else {}


def parse_jwt(token: str, algorithms: frozenset[str]) -> ParsedJwt:
    """Size caps, structure, header JSON, ``alg`` in the allow-list, ``typ``."""
    if len(token) > MAX_TOKEN_BYTES:
        raise InvalidTokenError("token too large")
    head, _, rest = token.partition(".")
    if not rest or rest.count(".") != 1 or len(head) > MAX_HEADER_BYTES:
        raise InvalidTokenError("malformed token")
    try:
        header = orjson.loads(_b64decode(head))
    except orjson.JSONDecodeError:
        raise InvalidTokenError("malformed token") from None
    if not isinstance(header, dict):
        raise InvalidTokenError("malformed token")
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in algorithms:
        raise InvalidTokenError("signing algorithm not allowed")
    if "crit" in header:
        raise InvalidTokenError("unsupported critical header")
    typ = header.get("typ")
    if typ is not None and (not isinstance(typ, str) or typ.lower() not in _TYPES):
        raise InvalidTokenError("token type not accepted")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise InvalidTokenError("malformed token")
    return ParsedJwt(token, alg, kid, header)


def key_matches(key: Jwk, alg: str) -> bool:
    """The key may verify ``alg``: same kty, same curve for EC, same ``alg`` if it names one."""
    if key.key_type != _kty_of(alg):
        return False
    if key.get("use") not in (None, "sig"):
        return False
    key_alg = key.get("alg")
    if key_alg is not None and key_alg != alg:
        return False
    curve = _CURVES.get(alg)
    return curve is None or key.get("crv") == curve


def verify_jwt(
    parsed: ParsedJwt, keys: Sequence[Jwk], policy: VerifyPolicy, now: float
) -> dict[str, Any]:
    """The claims of a token whose signature one of ``keys`` verifies and whose claims pass."""
    payload = _verify_signature(parsed, keys)
    try:
        claims = orjson.loads(payload)
    except orjson.JSONDecodeError:
        raise InvalidTokenError("malformed token") from None
    if not isinstance(claims, dict):
        raise InvalidTokenError("malformed token")
    validate_claims(claims, policy, now)
    return claims


def _verify_signature(parsed: ParsedJwt, keys: Sequence[Jwk]) -> bytes:
    candidates = [key for key in keys if key_matches(key, parsed.alg)]
    if not candidates:
        raise InvalidTokenError("no key matches the token")
    if parsed.alg in _PKCS1_HASHES:
        return _verify_pkcs1(parsed, candidates)
    for key in candidates:
        try:
            return jws.deserialize_compact(parsed.token, key, algorithms=[parsed.alg]).payload
        except JoseError:
            continue
        except ValueError:
            raise InvalidTokenError("malformed token") from None
    raise InvalidTokenError("signature verification failed")


def _verify_pkcs1(parsed: ParsedJwt, candidates: Sequence[Jwk]) -> bytes:
    """RS256/384/512 (RFC 7518 §3.3) straight with ``cryptography``: the payload bytes.

    What joserfc's ``deserialize_compact`` does for these algorithms (RSASSA-PKCS1-v1_5 over
    the ASCII ``header.payload``), without decoding the header a second time; the parts must
    be unpadded base64url (RFC 7515 §2), nothing else.
    """
    token = parsed.token
    if _COMPACT.fullmatch(token) is None:
        raise InvalidTokenError("malformed token")
    signing_input, _, signature = token.rpartition(".")
    payload = _b64decode(signing_input.partition(".")[2])
    raw_signature = _b64decode(signature)
    data = signing_input.encode("ascii")
    hash_type = _PKCS1_HASHES[parsed.alg]
    for key in candidates:
        try:
            public = key.get_op_key("verify")  # joserfc's check of `key_ops`, as before
        except JoseError:
            continue
        if not isinstance(public, rsa.RSAPublicKey):
            continue
        try:
            public.verify(raw_signature, data, _PKCS1, hash_type())
        except InvalidSignature:
            continue
        return payload
    raise InvalidTokenError("signature verification failed")


def _number(claims: Mapping[str, Any], name: str, required: bool) -> float | None:
    value = claims.get(name)
    if value is None:
        if required:
            raise InvalidTokenError(f"token has no {name}")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidTokenError(f"token {name} is not a number")
    return float(value)


def validate_claims(claims: Mapping[str, Any], policy: VerifyPolicy, now: float) -> None:
    """``exp`` (required), ``nbf``, ``iat``, exact ``iss`` and the configured audience."""
    exp = _number(claims, "exp", required=True)
    assert exp is not None
    if now >= exp + policy.leeway:
        raise InvalidTokenError("token expired")
    nbf = _number(claims, "nbf", required=False)
    if nbf is not None and nbf > now + policy.leeway:
        raise InvalidTokenError("token not valid yet")
    iat = _number(claims, "iat", required=False)
    if iat is not None and iat > now + policy.leeway:
        raise InvalidTokenError("token issued in the future")
    iss = claims.get("iss")
    if not isinstance(iss, str) or iss not in policy.issuers:
        raise InvalidTokenError("token issuer not accepted")
    if policy.audience:
        present = claim_values(claim_at(claims, policy.audience_claim))
        if not present & policy.audience:
            raise InvalidTokenError("token audience not accepted")
