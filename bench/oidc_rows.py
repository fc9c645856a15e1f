"""What the openid-connect rows configure and send: plugin configs, tokens, a browser session.

One embedded IdP serves every such row (started on first use). Rows:

- bearer JWT, one token: the same valid token on every request, so after the first request
  every check is a hit in the plugin's verified-token cache;
- bearer JWT, unique tokens: every request carries a token the gateway has not verified
  recently, so every request checks an RS256 signature (see :func:`unique_load` for why the
  cache cannot hit);
- client credentials, cached: ``auth_methods: [client_credentials]``, the workshop's service
  client's id and secret as HTTP Basic on every request; the gateway's first request trades
  them for a token at the IdP's token endpoint, every later one is a hit in the grant cache
  (Kong's ``cache_tokens``), and the token goes upstream as ``Authorization: Bearer``;
- introspection, cached: ``auth_methods: [introspection]``, one token; the IdP is asked once,
  then the cached answer is used;
- session cookie: one real login (authorization code + PKCE through the hosted login page)
  with httpx, then every request carries the session cookie.
"""

from __future__ import annotations

import base64
import re
import secrets
import subprocess
import sys
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from joserfc.jwk import RSAKey
from loadgen import Load, WrkResult
from oidc_idp import EmbeddedIdp, start_idp, unverified_claims
from token_mint import mint_tokens, write_tokens

from authgate.plugins.openid_connect.idp_client.token_cache import DEFAULT_MAX_ENTRIES

__all__ = ["OidcBench"]

BENCH = Path(__file__).resolve().parent
LUA = BENCH / "unique_tokens.lua"
# Each wrk thread's share of tokens exceeds the verified-token cache (FIFO, 10,000 entries).
SHARE = DEFAULT_MAX_ENTRIES + 2_000
NAV = {
    "accept": "text/html,application/xhtml+xml",
    "sec-fetch-mode": "navigate",
    "sec-fetch-dest": "document",
}
_CSRF = re.compile(r'name="_csrf" value="([^"]+)"')
_ACTION = re.compile(r'<form method="post" action="([^"]+)"')


@dataclass
class OidcBench:
    """The IdP and the tokens shared by the openid-connect rows (created on first use)."""

    workdir: Path
    idp_port: int
    gateway_port: int
    threads: int
    _idp: EmbeddedIdp | None = None
    _token: str | None = None
    _unique: Path | None = None
    verify_rates: dict[str, float] = field(default_factory=dict)

    def idp(self) -> EmbeddedIdp:
        if self._idp is None:
            self._idp = start_idp(self.workdir, self.idp_port, self.gateway_port)
            _wait_ok(f"{self._idp.issuer}/.well-known/openid-configuration")
        return self._idp

    def token(self) -> str:
        """One access token from the IdP's token endpoint (password grant)."""
        if self._token is None:
            self._token = str(self.idp().password_grant()["access_token"])
        return self._token

    def close(self) -> None:
        if self._idp is not None:
            self._idp.stop()

    # -- plugin configs ------------------------------------------------------------------
    def bearer_config(self) -> dict[str, Any]:
        """The workshop's bearer settings (Cognito access tokens: audience in client_id)."""
        idp = self.idp()
        return {
            "issuer": idp.issuer,
            "auth_methods": ["bearer"],
            "audience_claim": ["client_id"],
            "audience_required": [idp.client_id],
        }

    def unique_config(self) -> dict[str, Any]:
        """:meth:`bearer_config`, after minting the unique tokens (before the gateway starts)."""
        self.unique_tokens()
        return self.bearer_config()

    def client_credentials_config(self) -> dict[str, Any]:
        """The workshop's client-credentials route: the service client's tokens are accepted."""
        idp = self.idp()
        return {
            "issuer": idp.issuer,
            "client_id": [idp.client_id],
            "client_secret": [idp.client_secret],
            "auth_methods": ["client_credentials"],
            "audience_claim": ["client_id"],
            "audience_required": [idp.service_client_id],
        }

    def introspection_config(self) -> dict[str, Any]:
        idp = self.idp()
        return {
            "issuer": idp.issuer,
            "client_id": [idp.client_id],
            "client_secret": [idp.client_secret],
            "auth_methods": ["introspection"],
        }

    def session_config(self) -> dict[str, Any]:
        idp = self.idp()
        return {
            "issuer": idp.issuer,
            "client_id": [idp.client_id],
            "client_secret": [idp.client_secret],
            "auth_methods": ["authorization_code", "session"],
            "scopes": ["openid", "email", "profile"],
            "redirect_uri": [f"http://127.0.0.1:{self.gateway_port}/bar"],
            "session_secret": secrets.token_urlsafe(32),
        }

    # -- what wrk sends ------------------------------------------------------------------
    def one_token_load(self, base: str) -> Load:
        return Load(url=base, headers={"Authorization": f"Bearer {self.token()}"})

    def client_credentials_load(self, base: str) -> Load:
        """``curl -u <service client id>:<secret>`` on every request."""
        idp = self.idp()
        pair = f"{idp.service_client_id}:{idp.service_client_secret}".encode()
        return Load(url=base, headers={"Authorization": f"Basic {base64.b64encode(pair).decode()}"})

    def session_load(self, base: str) -> Load:
        cookie = browser_login(f"{base}bar", self.idp())
        return Load(url=f"{base}bar", headers={"Cookie": cookie})

    def unique_load(self, base: str) -> Load:
        """Distinct tokens, laid out so that no request can hit the verified-token cache.

        The cache keeps at most DEFAULT_MAX_ENTRIES entries and evicts the oldest insertion
        first (``TokenCache.put``; a hit does not refresh an entry). Token file lines:
        0 for the body check; then SHARE x threads for the loaded run, where each wrk thread
        cycles through its own SHARE tokens, so between two uses of a token that thread alone
        has inserted SHARE - 1 > DEFAULT_MAX_ENTRIES other entries and the token is gone;
        then SHARE for the warm-up and the 1-connection run (one thread: same argument),
        whose warm-up entries the loaded run (checked: > DEFAULT_MAX_ENTRIES requests, all
        misses) evicts before the 1-connection run.
        """
        path = self.unique_tokens()
        loaded = SHARE * self.threads
        phases = {
            "load": (1, loaded, self.threads),
            "warm": (1 + loaded, SHARE, self.threads),
            "idle": (1 + loaded, SHARE, 1),
        }

        def script_args(phase: str, threads: int) -> list[str]:
            first, count, expected = phases[phase]
            fits = phase == "warm" or count // threads > DEFAULT_MAX_ENTRIES
            if threads != expected or not fits:
                raise RuntimeError(f"unique-token layout does not fit {phase} with {threads}")
            return [str(path), str(first), str(count), str(threads)]

        def after_load(result: WrkResult) -> None:
            if result.requests <= DEFAULT_MAX_ENTRIES:
                raise RuntimeError("too few requests to evict the warm-up tokens")

        check = path.read_text(encoding="ascii").split("\n", 1)[0]
        return Load(
            url=base, headers={}, check_headers={"Authorization": f"Bearer {check}"},
            script=LUA, script_args=script_args, after_load=after_load,
        )  # fmt: skip

    def unique_tokens(self) -> Path:
        """The token file (minted once per run) and the raw verify rates over it."""
        if self._unique is None:
            idp = self.idp()
            template = unverified_claims(self.token())
            key = idp.access_key()
            count = 1 + SHARE * (self.threads + 1)
            tokens = mint_tokens(key.private_jwk, key.kid, template, count)
            path = self.workdir / "tokens.txt"
            write_tokens(path, tokens)
            self._unique = path
            public = RSAKey.import_key(key.private_jwk).as_dict(private=False)
            self.verify_rates = measure_verify_rates(path, public, idp.issuer, idp.client_id)
        return self._unique


def measure_verify_rates(
    tokens: Path, public_jwk: dict[str, Any], issuer: str, audience: str
) -> dict[str, float]:
    """bench/verify_rate.py in its own process (pinned to one CPU)."""
    import json

    done = subprocess.run(
        [
            sys.executable, str(BENCH / "verify_rate.py"), str(tokens),
            json.dumps(public_jwk), issuer, audience,
        ],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    rates: dict[str, float] = json.loads(done.stdout)
    print("raw RS256 verify/s on one core: " + ", ".join(f"{k} {v:,.0f}" for k, v in rates.items()))
    return rates


def _wait_ok(url: str) -> None:
    import time

    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer 200")
        time.sleep(0.1)


def browser_login(url: str, idp: EmbeddedIdp) -> str:
    """Sign in as the demo user through the gateway at ``url``; the gateway's Cookie header."""
    with httpx.Client(follow_redirects=False, timeout=30) as browser:
        first = browser.get(url, headers=NAV)
        if first.status_code != 302:
            raise RuntimeError(f"no login redirect: {first.status_code} {first.text[:200]}")
        page = browser.get(first.headers["location"])
        while (
            page.status_code in (302, 303) and "/login" in urlsplit(page.headers["location"]).path
        ):
            page = browser.get(urljoin(str(page.url), page.headers["location"]))
        csrf, action = _CSRF.search(page.text), _ACTION.search(page.text)
        if csrf is None or action is None:
            raise RuntimeError(f"no login form: {page.status_code} {page.text[:200]}")
        form = {"username": idp.username, "password": idp.password, "_csrf": csrf.group(1)}
        done = browser.post(
            urljoin(str(page.url), action.group(1).replace("&amp;", "&")), data=form
        )
        if done.status_code not in (302, 303):
            raise RuntimeError(f"login refused: {done.status_code} {done.text[:200]}")
        back = browser.get(done.headers["location"], headers=NAV)
        if back.status_code != 302:
            raise RuntimeError(f"callback failed: {back.status_code} {back.text[:200]}")
        jar: SimpleCookie = SimpleCookie()
        for header in back.headers.get_list("set-cookie"):
            jar.load(header)
        cookies = [f"{name}={morsel.value}" for name, morsel in jar.items() if morsel.value]
        if not cookies:
            raise RuntimeError("the callback set no session cookie")
        return "; ".join(cookies)
