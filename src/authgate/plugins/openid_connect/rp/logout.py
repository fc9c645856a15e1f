"""Logout: Kong's triggers, RFC 7009 revocation, and where the browser goes afterwards.

Triggers (any one, with a method in ``logout_methods``): the path ends with
``logout_uri_suffix``, the query has ``logout_query_arg``, the form body has
``logout_post_arg``. The end-session request is OpenID Connect RP-Initiated Logout 1.0 §2
(``id_token_hint``, ``client_id``, ``post_logout_redirect_uri``) or Cognito's
``/logout?client_id=…&logout_uri=…``. Every target comes from configuration or discovery,
never from the request (rp.md §4.D).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from urllib.parse import urlencode, urlsplit

from authgate.plugins.openid_connect.idp_client.client_auth import ClientCredentials, post_form
from authgate.plugins.openid_connect.idp_client.http_client import IdpHttpClient, OutboundError

__all__ = ["end_session_url", "is_cognito_issuer", "is_logout", "revoke"]

logger = logging.getLogger("authgate.openid_connect")


def is_logout(
    method: str,
    path: str,
    query: Mapping[str, list[str]],
    form: Mapping[str, list[str]] | None,
    *,
    methods: Sequence[str],
    uri_suffix: str | None,
    query_arg: str | None,
    post_arg: str | None,
) -> bool:
    """Whether the request asks to log out (see module docstring)."""
    if method not in methods:
        return False
    if uri_suffix and path.endswith(uri_suffix):
        return True
    if query_arg and query_arg in query:
        return True
    return bool(post_arg and form is not None and post_arg in form)


def is_cognito_issuer(issuer: str) -> bool:
    """Amazon Cognito user pool issuers: ``https://cognito-idp.<region>.amazonaws.com/<pool>``."""
    host = urlsplit(issuer).hostname or ""
    return host.startswith("cognito-idp.") and host.endswith(".amazonaws.com")


def end_session_url(
    endpoint: str,
    *,
    cognito: bool,
    client_id: str,
    id_token: str | None,
    post_logout_redirect_uri: str | None,
) -> str:
    """The end-session request for ``endpoint``."""
    params: dict[str, str] = {"client_id": client_id}
    if cognito:
        if post_logout_redirect_uri is not None:
            params["logout_uri"] = post_logout_redirect_uri
    else:
        if id_token is not None:
            params["id_token_hint"] = id_token
        if post_logout_redirect_uri is not None:
            params["post_logout_redirect_uri"] = post_logout_redirect_uri
    separator = "&" if "?" in endpoint else "?"
    return endpoint + separator + urlencode(params)


async def revoke(
    client: IdpHttpClient,
    endpoint: str,
    tokens: Sequence[tuple[str, str]],
    credentials: ClientCredentials,
    *,
    param_name: str,
    timeout: float,
    verify: bool,
) -> int:
    """RFC 7009 §2.1 for each ``(token, type hint)``; the number the IdP accepted.

    Failures are logged (endpoint and status only) and do not stop the logout.
    """
    accepted = 0
    for token, hint in tokens:
        form = {param_name: token, "token_type_hint": hint}
        try:
            response = await post_form(
                client, endpoint, credentials, form,
                timeout=timeout, verify=verify, accept_json=False,
            )  # fmt: skip
        except OutboundError as exc:
            logger.error("revocation endpoint %s failed (%s): %s", endpoint, hint, exc)
            continue
        if response.status == 200:
            accepted += 1
        else:
            logger.warning(
                "revocation endpoint %s answered %s for a %s", endpoint, response.status, hint
            )
    return accepted
