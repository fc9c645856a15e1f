"""The curl tour `authgate up` prints: ready-to-paste commands built from the seeded facts.

Every command is a :class:`Command` with the HTTP status it should show (``expect``), so
the banner, ``.authgate/demo.json`` and the tests all use the same text.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

__all__ = ["HOSTED_LOGIN_SCOPES", "Command", "browser_steps", "curl_tour", "hosted_login_url"]

# What the banner's hosted-login link asks for: the scopes the workshop client kong-api has.
HOSTED_LOGIN_SCOPES = "openid email profile"
_FIELD = "python3 -c 'import json,sys; print(json.load(sys.stdin)[\"{name}\"])'"


@dataclass(frozen=True)
class Command:
    """One shell command of the tour; ``expect`` is the status a ``curl -i`` shows (or None)."""

    title: str
    command: str
    expect: int | None = None

    def as_json(self) -> dict[str, Any]:
        """The demo.json form."""
        return {"title": self.title, "command": self.command, "expect": self.expect}


def _basic(user: str, secret: str) -> str:
    return shlex.quote(f"{user}:{secret}")


def curl_tour(bar_url: str, idp: dict[str, Any]) -> list[Command]:
    """The workshop's commands against ``bar_url``, in an order that works when pasted."""
    client = _basic(idp["client_id"], idp["client_secret"])
    user = idp["user"]
    endpoints = idp["endpoints"]
    commands = [
        Command(
            "No credential: like a browser, curl is sent to the IdP's login page",
            f"curl -i {bar_url}",
            302,
        ),
        Command(
            "No credential, as an API client: 401 with WWW-Authenticate",
            f"curl -i -H 'Accept: application/json' {bar_url}",
            401,
        ),
        Command(
            "Password grant (the gateway trades the demo user's email and password)",
            f"curl -i -u {_basic(user['username'], user['password'])} {bar_url}",
            200,
        ),
    ]
    service = idp.get("service_client")
    if service is not None:
        commands.append(
            Command(
                f"Client credentials (app client {service['client_name']})",
                f"curl -i -u {_basic(service['client_id'], service['client_secret'])} {bar_url}",
                200,
            )
        )
    commands += _token_commands(bar_url, client, user, endpoints)
    commands.append(
        Command(
            "An opaque token the IdP never issued: 401",
            f"curl -i -H 'Authorization: Bearer not-a-real-token' {bar_url}",
            401,
        )
    )
    return commands


def _token_commands(
    bar_url: str, client: str, user: dict[str, Any], endpoints: dict[str, Any]
) -> list[Command]:
    """Fetch tokens at the IdP, use them as bearer and refresh token, revoke them."""
    fetch = (
        f"TOKENS=$(curl -s -u {client} -d grant_type=password"
        f" --data-urlencode username={shlex.quote(user['username'])}"
        f" --data-urlencode password={shlex.quote(user['password'])}"
        f" --data-urlencode 'scope=openid email profile' {endpoints['token_endpoint']})"
    )
    commands = [
        Command("Get tokens from the IdP yourself (password grant)", fetch),
        Command(
            "Keep the access and refresh tokens",
            f"TOKEN=$(printf '%s' \"$TOKENS\" | {_FIELD.format(name='access_token')}); "
            f"REFRESH=$(printf '%s' \"$TOKENS\" | {_FIELD.format(name='refresh_token')})",
        ),
        Command("Bearer token", f'curl -i -H "Authorization: Bearer $TOKEN" {bar_url}', 200),
        Command(
            "Refresh token (the gateway trades it for fresh tokens)",
            f'curl -i -H "x-refresh-token: $REFRESH" {bar_url}',
            200,
        ),
    ]
    if endpoints.get("revocation_endpoint"):
        commands += [
            Command(
                "Revoke the sign-in at the IdP (RFC 7009)",
                f'curl -s -u {client} -d "token=$REFRESH" {endpoints["revocation_endpoint"]}',
            ),
            Command(
                "The revoked token: introspection says inactive, 401",
                f'curl -i -H "Authorization: Bearer $TOKEN" {bar_url}',
                401,
            ),
        ]
    return commands


def browser_steps(bar_url: str, idp: dict[str, Any]) -> list[str]:
    """The browser login, in words."""
    user = idp["user"]
    return [
        f"Open {bar_url} in a browser: it goes to the IdP's hosted login page.",
        f"Sign in as {user['username']} with password {user['password']}: back on /bar.",
        f"Sign out: {bar_url}/logout",
    ]


def hosted_login_url(endpoints: dict[str, Any], client_id: str, redirect_uri: str) -> str:
    """The IdP's hosted login page as a link that opens it (OpenID Connect Core §3.1.2.1).

    A bare authorization endpoint answers "The client_id is missing"; like Cognito's
    "View hosted UI" link this carries ``client_id``, ``response_type=code``, ``scope`` and
    the registered ``redirect_uri`` (the gateway's route, which finishes the sign-in).
    """
    query = urlencode(
        {
            "client_id": client_id,
            "response_type": "code",
            "scope": HOSTED_LOGIN_SCOPES,
            "redirect_uri": redirect_uri,
        }
    )
    return f"{endpoints['authorization_endpoint']}?{query}"
