"""Many distinct, valid RS256 access tokens, signed with the IdP pool's active access key.

Every token is a copy of a real token's claims (from the IdP's token endpoint) with its own
``jti`` and ``event_id``, signed the way the IdP signs (RS256, ``kid`` in the header). RSA
signing dominates, so it runs in one process per CPU with ``cryptography`` directly (about
3x faster than going through joserfc's JWT encoder).
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from joserfc.jwk import RSAKey

__all__ = ["mint_tokens", "write_tokens"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _private_key(private_jwk: dict[str, Any]) -> RSAPrivateKey:
    key = RSAKey.import_key(private_jwk).private_key
    assert isinstance(key, RSAPrivateKey)
    return key


def _mint_chunk(args: tuple[dict[str, Any], str, dict[str, Any], int]) -> list[str]:
    private_jwk, kid, template, count = args
    key = _private_key(private_jwk)
    head = _b64(json.dumps({"alg": "RS256", "kid": kid}, separators=(",", ":")).encode())
    tokens = []
    for _ in range(count):
        claims = dict(template, jti=str(uuid.uuid4()), event_id=str(uuid.uuid4()))
        body = _b64(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = f"{head}.{body}".encode("ascii")
        signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        tokens.append(f"{head}.{body}.{_b64(signature)}")
    return tokens


def mint_tokens(
    private_jwk: dict[str, Any], kid: str, template: dict[str, Any], count: int
) -> list[str]:
    """``count`` distinct tokens carrying ``template``'s claims, each with a fresh ``jti``."""
    processes = max(os.cpu_count() or 1, 1)
    sizes = [count // processes + (1 if i < count % processes else 0) for i in range(processes)]
    jobs = [(private_jwk, kid, template, size) for size in sizes if size]
    with ProcessPoolExecutor(len(jobs)) as pool:
        chunks: Sequence[list[str]] = list(pool.map(_mint_chunk, jobs))
    tokens = [token for chunk in chunks for token in chunk]
    if len(set(tokens)) != count:
        raise RuntimeError("minted tokens are not all distinct")
    return tokens


def write_tokens(path: Path, tokens: Sequence[str]) -> None:
    """One token a line (what bench/unique_tokens.lua reads)."""
    path.write_text("\n".join(tokens) + "\n", encoding="ascii")
