"""RFC 6749 §2.3.1 client authentication of the gateway at the IdP (basic or post)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from authgate.plugins.openid_connect.idp_client.http_client import HttpResponse, IdpHttpClient

__all__ = ["ClientCredentials", "post_form"]


@dataclass(frozen=True, slots=True)
class ClientCredentials:
    """The gateway's client id and secret and how to send them; repr hides the secret."""

    client_id: str
    secret: str | None = field(repr=False)
    method: str = "client_secret_basic"

    def apply(self, headers: dict[str, str], form: dict[str, str]) -> None:
        """Add the client authentication to a request's headers or form."""
        if self.secret is None:
            form["client_id"] = self.client_id
        elif self.method == "client_secret_post":
            form["client_id"] = self.client_id
            form["client_secret"] = self.secret
        else:
            # §2.3.1: both parts are form-urlencoded before the Basic encoding.
            raw = f"{quote(self.client_id, safe='')}:{quote(self.secret, safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(raw.encode()).decode("ascii")


async def post_form(
    client: IdpHttpClient,
    endpoint: str,
    credentials: ClientCredentials,
    form: dict[str, str],
    *,
    timeout: float,
    verify: bool,
    accept_json: bool = True,
) -> HttpResponse:
    """POST ``form`` to an IdP endpoint, authenticated as the gateway's client.

    Raises OutboundError as ``IdpHttpClient.request`` does; the caller judges the status.
    """
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if accept_json:
        headers["Accept"] = "application/json"
    credentials.apply(headers, form)
    return await client.request(
        "POST", endpoint, headers=headers, body=urlencode(form).encode(),
        timeout=timeout, verify=verify,
    )  # fmt: skip
