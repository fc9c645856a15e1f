"""Signing keys and token factories for tests of the openid-connect plugin (RFC 7515 compact JWS).

The keys are generated at import; the tokens are signed with them (or made malformed on purpose).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

import orjson
from joserfc import jws
from joserfc.jwk import ECKey, OctKey, OKPKey, RSAKey

ISSUER = "https://op.example/pool"
RSA = RSAKey.generate_key(2048, parameters={"kid": "rsa-1", "alg": "RS256", "use": "sig"})
EC = ECKey.generate_key("P-256", parameters={"kid": "ec-1"})
EC384_SAME_KID = ECKey.generate_key("P-384", parameters={"kid": "ec-1"})
ED = OKPKey.generate_key("Ed25519", parameters={"kid": "ed-1"})
# The same key pair without its `alg` member: can sign PS256 with kid rsa-1.
RSA_ANY_ALG = RSAKey.import_key({k: v for k, v in RSA.as_dict(private=True).items() if k != "alg"})
OTHER_RSA = RSAKey.generate_key(2048, parameters={"kid": "rsa-1"})


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": ISSUER,
        "sub": "user-1",
        "client_id": "client-a",
        "token_use": "access",
        "scope": "openid email",
        "iat": now,
        "exp": now + 3600,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def sign(payload: dict[str, Any], key: Any = RSA, alg: str = "RS256", **header: Any) -> str:
    protected = {"alg": alg, "kid": key.kid, **header}
    protected = {k: v for k, v in protected.items() if v is not None}
    return jws.serialize_compact(protected, orjson.dumps(payload), key, algorithms=[alg])


def unsigned(payload: dict[str, Any]) -> str:
    header = b64(orjson.dumps({"alg": "none", "kid": "rsa-1"}))
    return f"{header}.{b64(orjson.dumps(payload))}."


def hs256_with_public_key(payload: dict[str, Any]) -> str:
    """The PyJWT DSA-3293 attack: HMAC keyed with the RSA public key's PEM."""
    pem = RSA.as_pem(private=False)
    signing_input = (
        f"{b64(orjson.dumps({'alg': 'HS256', 'kid': 'rsa-1'}))}.{b64(orjson.dumps(payload))}"
    )
    mac = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


def hs256(payload: dict[str, Any], secret: str) -> str:
    key = OctKey.import_key(secret)
    return jws.serialize_compact({"alg": "HS256"}, orjson.dumps(payload), key, algorithms=["HS256"])


def tamper(token: str, **changes: Any) -> str:
    head, payload, sig = token.split(".")
    body = orjson.loads(base64.urlsafe_b64decode(payload + "=="))
    body.update(changes)
    return f"{head}.{b64(orjson.dumps(body))}.{sig}"
