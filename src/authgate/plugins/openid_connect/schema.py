"""Config of ``openid-connect``: Kong's field names and defaults, and the cross-field rules.

Fields authgate does not implement yet are listed in :mod:`.unsupported`; they load only at
Kong's default value. Every problem is reported in one pass, without opening a socket
(:class:`~authgate.config.plugin_schema.PluginSchema`). ``docs/openid-connect-fields.md`` is
generated from this schema (:mod:`.field_reference`).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, ConfigDict, Field, SecretStr

from authgate.config.fields import Url
from authgate.config.plugin_schema import PluginSchema, Problem
from authgate.plugins.openid_connect.browser_schema import BrowserFields, browser_problems
from authgate.plugins.openid_connect.unsupported import OLD_NAMES, UNSUPPORTED_FIELDS

__all__ = [
    "ACTIVE_AUTH_METHODS",
    "AUTH_METHODS",
    "BROWSER_METHODS",
    "INACTIVE_AUTH_METHODS",
    "OpenIDConnectConfig",
]

AuthMethod = Literal[
    "authorization_code",
    "bearer",
    "client_credentials",
    "introspection",
    "kong_oauth2",
    "password",
    "refresh_token",
    "session",
    "userinfo",
]
AUTH_METHODS: tuple[AuthMethod, ...] = get_args(AuthMethod)
# Accepted (Kong's default lists them) but not run yet; docs/openid-connect.md says so.
INACTIVE_AUTH_METHODS = frozenset({"kong_oauth2"})
# Browser methods need session_secret (and authorization_code a client_id).
BROWSER_METHODS = frozenset({"session", "authorization_code"})
ACTIVE_AUTH_METHODS = frozenset(AUTH_METHODS) - INACTIVE_AUTH_METHODS
# client_credentials uses the caller's client, but Kong requires a configured one too.
NEEDS_CLIENT = frozenset({"password", "client_credentials", "refresh_token", "introspection"})

ParamType = Literal["header", "query", "body", "cookie"]
ClientAuth = Literal["client_secret_basic", "client_secret_post"]
_ALL_PARAM_TYPES: list[ParamType] = ["header", "query", "body"]


def _claim_path(value: list[str]) -> list[str]:
    if not value or any(not part for part in value):
        raise ValueError("a claim path is a non-empty list of non-empty claim names")
    return value


def _requirements(value: list[str] | None) -> list[str] | None:
    if value is not None and any(not entry.split() for entry in value):
        raise ValueError("entries must name at least one value (an empty entry matches anything)")
    return value


def _header_spec(value: str | None) -> str | None:
    if value is not None:
        name = value.partition(":")[0].strip()
        if not name or any(c in name for c in ' \t\r\n"(),/;<=>?@[\\]{}'):
            raise ValueError(f'invalid header name in "{value}"')
    return value


ClaimPath = Annotated[list[str], AfterValidator(_claim_path)]
Requirements = Annotated[list[str] | None, AfterValidator(_requirements)]
HeaderSpec = Annotated[str | None, AfterValidator(_header_spec)]


def _field(default: Any, description: str, **kwargs: Any) -> Any:
    return Field(default=default, description=description, **kwargs)


class OpenIDConnectConfig(BrowserFields, PluginSchema):
    """Settings of the openid-connect plugin (Kong names and defaults)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kong_only = UNSUPPORTED_FIELDS
    old_names = OLD_NAMES

    # A. issuer and endpoints
    issuer: Url = Field(description="Issuer URL or its discovery URL (.well-known/...).")
    issuers_allowed: list[str] | None = _field(
        None, "Token `iss` values accepted besides the discovered issuer."
    )
    rediscovery_lifetime: int = _field(
        30, "Seconds between two refetches of discovery/JWKS on an unknown kid.", ge=0
    )
    extra_jwks_uris: list[Url] | None = _field(None, "More JWKS URLs whose keys are trusted.")
    jwks_endpoint: Url | None = _field(None, "JWKS URL instead of the discovered jwks_uri.")
    token_endpoint: Url | None = _field(None, "Token endpoint instead of the discovered one.")
    introspection_endpoint: Url | None = _field(None, "Introspection endpoint override.")
    userinfo_endpoint: Url | None = _field(None, "UserInfo endpoint override.")
    # B. client
    client_id: list[SecretStr] | None = _field(None, "The gateway's client id(s) at the IdP.")
    client_secret: list[SecretStr] | None = _field(None, "The matching client secret(s).")
    client_arg: str = _field(
        "client_id", "Request argument that would pick one of several clients (not used yet)."
    )
    client_auth: list[ClientAuth] | None = _field(
        None, "Client authentication per client (client_secret_basic or client_secret_post)."
    )
    token_endpoint_auth_method: ClientAuth | None = _field(
        None, "Client authentication at the token endpoint."
    )
    introspection_endpoint_auth_method: ClientAuth | None = _field(
        None, "Client authentication at the introspection endpoint."
    )
    # C. auth methods and where credentials are read
    auth_methods: list[AuthMethod] = _field(
        list(AUTH_METHODS), "Enabled authentication methods (kong_oauth2 is not run)."
    )
    bearer_token_param_type: list[ParamType] = _field(
        list(_ALL_PARAM_TYPES), "Where bearer tokens are looked for."
    )
    bearer_token_cookie_name: str | None = _field(None, "Cookie holding a bearer token.")
    client_credentials_param_type: list[ParamType] = _field(
        list(_ALL_PARAM_TYPES), "Where client credentials are looked for."
    )
    password_param_type: list[ParamType] = _field(
        list(_ALL_PARAM_TYPES), "Where username/password are looked for."
    )
    refresh_token_param_type: list[ParamType] = _field(
        list(_ALL_PARAM_TYPES), "Where a refresh token is looked for."
    )
    refresh_token_param_name: str | None = _field(None, "Name of the refresh token argument.")
    run_on_preflight: bool = _field(True, "Authenticate CORS preflight requests too.")
    anonymous: str | None = _field(None, "Consumer id or username used when auth fails.")
    hide_credentials: bool = _field(True, "Remove the client's credentials before proxying.")
    # D. token requests
    scopes: list[str] | None = _field(["openid"], "Scopes requested at the token endpoint.")
    audience: list[str] | None = _field(
        None, "Accepted token audiences (checked on audience_claim); empty: not checked."
    )
    # E. verification
    verify_signature: bool = _field(True, "Verify JWT signatures (cannot be turned off).")
    verify_claims: bool = _field(True, "Verify exp/nbf/iss (cannot be turned off).")
    enable_hs_signatures: bool = _field(False, "Accept HS256/384/512 signed with client_secret.")
    introspect_jwt_tokens: bool = _field(False, "Also introspect JWTs (catches revocation).")
    leeway: int = _field(0, "Seconds of clock skew allowed on exp/nbf/iat.", ge=0, le=3600)
    # F/G. introspection and userinfo
    introspection_check_active: bool = _field(
        True, "Require `active: true` in introspection answers."
    )
    introspection_hint: str = _field("access_token", "token_type_hint sent to introspection.")
    introspection_token_param_name: str = _field("token", "Form field of the token.")
    cache_introspection: bool = _field(True, "Cache introspection answers until token exp.")
    cache_user_info: bool = _field(True, "Cache userinfo answers.")
    # H. gateway-obtained tokens
    cache_tokens: bool = _field(True, "Cache tokens obtained with password/client credentials.")
    cache_tokens_salt: SecretStr | None = _field(
        None, "HMAC key of the token cache keys (default: random per process)."
    )
    cache_ttl: int = _field(3600, "Max seconds any cache entry lives.", ge=1)
    cache_ttl_max: float | None = _field(None, "Upper bound of every cache ttl (0: none).", ge=0)
    cache_ttl_min: float | None = _field(
        None, "Lower bound of cache_ttl (never past a token's exp).", ge=0
    )
    cache_ttl_neg: float | None = _field(
        None, "Seconds a refused password/client credential is remembered (default: not).", ge=0
    )
    # J. claims authorization
    scopes_claim: ClaimPath = _field(["scope"], "Claim path of the scopes.")
    scopes_required: Requirements = _field(
        None, "Scopes a token must have: any entry, with all its space-separated values."
    )
    audience_claim: ClaimPath = _field(["aud"], "Claim path of the audience.")
    audience_required: Requirements = _field(
        None, "Audience a token must have: any entry, with all its space-separated values."
    )
    groups_claim: ClaimPath = _field(["groups"], "Claim path of the groups.")
    groups_required: Requirements = _field(
        None, "Groups a token must have: any entry, with all its space-separated values."
    )
    roles_claim: ClaimPath = _field(["roles"], "Claim path of the roles.")
    roles_required: Requirements = _field(
        None, "Roles a token must have: any entry, with all its space-separated values."
    )
    claims_forbidden: list[str] | None = _field(None, "Claims a token must not carry.")
    # K. consumers
    consumer_claim: ClaimPath | None = _field(None, "Claim path that names the consumer.")
    consumer_by: list[Literal["id", "username", "custom_id"]] = _field(
        ["username", "custom_id"], "Consumer fields the claim is matched against."
    )
    by_username_ignore_case: bool = _field(False, "Match usernames case-insensitively.")
    consumer_optional: bool = _field(False, "Proxy even when no consumer matches.")
    credential_claim: ClaimPath = _field(
        ["sub"], "Claim path whose value is sent as X-Credential-Identifier."
    )
    # L. upstream headers
    upstream_access_token_header: HeaderSpec = _field(
        "authorization:bearer", "Header[:scheme] carrying the access token upstream."
    )
    upstream_id_token_header: HeaderSpec = _field(None, "Header carrying the ID token.")
    upstream_refresh_token_header: HeaderSpec = _field(None, "Header for the refresh token.")
    upstream_introspection_header: HeaderSpec = _field(None, "Header for introspection JSON.")
    upstream_user_info_header: HeaderSpec = _field(None, "Header for the userinfo JSON.")
    upstream_headers_claims: list[str] | None = _field(
        None, "Top-level claims sent upstream, each in its upstream_headers_names header."
    )
    upstream_headers_names: list[str] | None = _field(
        None, "Header names of the upstream_headers_claims, in the same order."
    )
    # O. errors
    unauthorized_error_message: str = _field("Unauthorized", "Message of 401 responses.")
    forbidden_error_message: str = _field("Forbidden", "Message of 403 responses.")
    display_errors: bool = _field(False, "Add the reason to the error message.")
    expose_error_code: bool = _field(True, "Send error/error_description in WWW-Authenticate.")
    # Q/R. caches and outbound HTTP
    timeout: int = _field(10000, "Milliseconds for each call to the IdP.", ge=1)
    ssl_verify: bool = _field(True, "Verify the IdP's TLS certificate.")

    def cross_field_problems(self) -> list[Problem]:
        """Kong's and authgate's rules between fields (each lists the fields it reads)."""
        problems = [
            Problem((name,), "cannot be turned off in authgate")
            for name in ("verify_signature", "verify_claims")
            if not getattr(self, name)
        ]
        if len(self.client_id or []) != len(self.client_secret or []) and self.client_secret:
            problems.append(
                Problem(("client_secret", "client_id"), "needs one entry per client_id")
            )
        chosen = NEEDS_CLIENT & set(self.auth_methods)
        if "auth_methods" in self.model_fields_set and chosen and not self.client_id:
            problems.append(Problem(("auth_methods", "client_id"), _need(chosen, "client_id")))
        if self.introspect_jwt_tokens and not self.client_id:
            problems.append(Problem(("introspect_jwt_tokens", "client_id"), "needs client_id"))
        if self.enable_hs_signatures and not self.client_secret:
            problems.append(
                Problem(("enable_hs_signatures", "client_secret"), "needs client_secret (the key)")
            )
        if len(self.upstream_headers_claims or []) != len(self.upstream_headers_names or []):
            problems.append(
                Problem(
                    ("upstream_headers_claims", "upstream_headers_names"),
                    "needs one upstream_headers_names entry per claim",
                )
            )
        if "cookie" in self.bearer_token_param_type and not self.bearer_token_cookie_name:
            problems.append(
                Problem(
                    ("bearer_token_param_type", "bearer_token_cookie_name"),
                    "cookie needs bearer_token_cookie_name",
                )
            )
        return problems + browser_problems(self)

    @property
    def active_methods(self) -> frozenset[str]:
        """The configured auth methods authgate runs today.

        Without ``client_id`` (allowed when auth_methods is left at Kong's default), the
        methods that need the gateway's client at the IdP cannot run; without
        ``session_secret``, neither can ``session`` and ``authorization_code``.
        """
        active = frozenset(self.auth_methods) & ACTIVE_AUTH_METHODS
        if not self.client_id:
            active -= NEEDS_CLIENT | {"authorization_code"}
        if self.session_secret is None:
            active -= BROWSER_METHODS
        return active


def _need(methods: Collection[str], field: str) -> str:
    """``password needs client_id``, ``client_credentials, password need client_id``."""
    verb = "needs" if len(methods) == 1 else "need"
    return f"{', '.join(sorted(methods))} {verb} {field}"
