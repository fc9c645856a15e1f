"""Raw RS256 verify rate on one core: OpenSSL (via cryptography), joserfc, authgate's check.

    python bench/verify_rate.py TOKENS PUBLIC_JWK_JSON ISSUER AUDIENCE [--seconds 2]

Verifies distinct tokens from TOKENS (one a line) in a loop, pinned to one CPU, and prints
a JSON object of verifications per second:

- ``openssl``: the RSA-2048 PKCS#1 v1.5 SHA-256 signature check alone;
- ``joserfc``: ``jws.deserialize_compact`` (what the plugin calls to check a signature);
- ``authgate``: the plugin's ``parse_jwt`` + ``verify_jwt`` (header checks, signature,
  claims: ``exp``, ``iss``, audience), i.e. a cache miss without the request around it.

Each is measured in 5 interleaved rounds and the best round counts: other processes on a
shared machine can only make a round slower.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from joserfc import jws
from joserfc.jwk import RSAKey

from authgate.plugins.openid_connect.rs.access_token import (
    ASYMMETRIC_ALGORITHMS,
    VerifyPolicy,
    parse_jwt,
    verify_jwt,
)

__all__ = ["rates"]

SAMPLE = 1000
ROUNDS = 5


def _rate(check: Callable[[str], object], tokens: list[str], seconds: float) -> float:
    """Verifications per second over ``seconds`` (at least one pass over ``tokens``)."""
    done, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for token in tokens:
            check(token)
        done += len(tokens)
        now = time.perf_counter()
        if now >= deadline:
            return done / (now - start)


def _best(
    checks: dict[str, Callable[[str], object]], tokens: list[str], seconds: float
) -> dict[str, float]:
    """Each check's best rate over ROUNDS interleaved rounds (the machine is shared)."""
    for check in checks.values():
        for token in tokens[:50]:
            check(token)
    best = dict.fromkeys(checks, 0.0)
    for _ in range(ROUNDS):
        for name, check in checks.items():
            best[name] = max(best[name], _rate(check, tokens, seconds / ROUNDS))
    return best


def _openssl(key: RSAPublicKey) -> Callable[[str], object]:
    def check(token: str) -> None:
        signing_input, _, signature = token.rpartition(".")
        raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        key.verify(raw, signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())

    return check


def rates(
    tokens: list[str], public_jwk: dict[str, object], issuer: str, audience: str, seconds: float
) -> dict[str, float]:
    """Verifications per second of each implementation over ``tokens``."""
    key = RSAKey.import_key(public_jwk)
    public = key.public_key
    assert isinstance(public, RSAPublicKey)
    policy = VerifyPolicy(
        issuers=frozenset({issuer}),
        algorithms=ASYMMETRIC_ALGORITHMS,
        leeway=0,
        audience=frozenset({audience}),
        audience_claim=("client_id",),
    )

    def joserfc(token: str) -> object:
        return jws.deserialize_compact(token, key, algorithms=["RS256"])

    def authgate(token: str) -> object:
        return verify_jwt(parse_jwt(token, ASYMMETRIC_ALGORITHMS), [key], policy, time.time())

    checks = {"openssl": _openssl(public), "joserfc": joserfc, "authgate": authgate}
    return _best(checks, tokens, seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tokens", type=Path)
    parser.add_argument("public_jwk", help="the verifying key as a JWK (JSON)")
    parser.add_argument("issuer")
    parser.add_argument("audience")
    parser.add_argument("--seconds", type=float, default=2.5, help="per implementation")
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    tokens = args.tokens.read_text(encoding="ascii").split()[:SAMPLE]
    result = rates(tokens, json.loads(args.public_jwk), args.issuer, args.audience, args.seconds)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
