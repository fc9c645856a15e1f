"""Config of the browser side of ``openid-connect``: code flow, sessions, refresh, logout.

Kong's field names and defaults (research/rp.md §2.2 D, M, N, O), plus three authgate
extensions marked as such in their descriptions: ``unauth_action``, ``logout_style`` and
``session_secret_fallbacks``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, SecretStr

from authgate.config.fields import Url
from authgate.config.plugin_schema import Problem

__all__ = ["MIN_SESSION_SECRET", "BrowserFields", "browser_problems"]

MIN_SESSION_SECRET = 32
SameSite = Literal["Strict", "Lax", "None", "Default"]
LoginToken = Literal["id_token", "access_token", "refresh_token", "tokens"]
HttpMethod = Literal["GET", "POST", "DELETE", "PUT", "PATCH"]


def _cookie_name(value: str) -> str:
    if not value or any(not (c.isalnum() or c in "-_.") for c in value):
        raise ValueError(f'"{value}" is not a cookie name (letters, digits, "-", "_", ".")')
    return value


def _cookie_path(value: str) -> str:
    if not value.startswith("/") or any(c in value for c in ";,\r\n "):
        raise ValueError(f'"{value}" is not a cookie path')
    return value


CookieName = Annotated[str, AfterValidator(_cookie_name)]
CookiePath = Annotated[str, AfterValidator(_cookie_path)]


def _f(default: Any, description: str, **kwargs: Any) -> Any:
    return Field(default=default, description=description, **kwargs)


class BrowserFields(BaseModel):
    """Fields of the authorization code flow, sessions and logout."""

    # A. endpoint overrides used by the browser flow
    authorization_endpoint: Url | None = _f(None, "Authorization endpoint override.")
    revocation_endpoint: Url | None = _f(None, "Revocation endpoint override (RFC 7009).")
    end_session_endpoint: Url | None = _f(None, "End-session (RP-initiated logout) override.")
    revocation_endpoint_auth_method: Literal["client_secret_basic", "client_secret_post"] | None = (
        _f(None, "Client authentication at the revocation endpoint.")
    )
    # D. authorization code flow
    redirect_uri: list[Url] | None = _f(None, "Callback URL; default: the route's own URL.")
    response_type: list[Literal["code"]] = _f(
        ["code"], "OAuth response type; only the code flow (`code`) is supported."
    )
    response_mode: Literal["query", "form_post"] = _f("query", "How the IdP returns the code.")
    max_age: int | None = _f(None, "Max seconds since the user's last sign-in.", ge=0)
    require_proof_key_for_code_exchange: bool | None = _f(
        None, "PKCE S256: None uses it when discovery advertises S256; true forces it."
    )
    preserve_query_args: bool = _f(
        True, "Return to the original URL with its query string (Kong's default: false)."
    )
    authorization_cookie_name: CookieName = _f("authorization", "Login state cookie prefix.")
    authorization_cookie_path: CookiePath = _f("/", "Path of the login state cookie.")
    authorization_cookie_domain: str | None = _f(None, "Domain of the login state cookie.")
    authorization_cookie_http_only: bool = _f(True, "HttpOnly flag of the login state cookie.")
    authorization_cookie_same_site: SameSite = _f(
        "Default", "SameSite of the login state cookie; Default: not sent."
    )
    authorization_cookie_secure: bool | None = _f(None, "Secure flag; None: set on https requests.")
    authorization_rolling_timeout: int = _f(600, "Seconds a login may take.", ge=1)
    verify_nonce: bool = _f(True, "Send and check the ID token nonce.")
    login_methods: list[Literal["authorization_code"]] = _f(
        ["authorization_code"], "Auth methods after which login_action applies."
    )
    login_action: Literal["upstream", "response", "redirect"] = _f(
        "upstream", "After login: back to the original URL, tokens as JSON, or redirect."
    )
    login_tokens: list[LoginToken] | None = _f(
        ["id_token"], "Tokens given to the client by login_action response or redirect."
    )
    login_redirect_uri: list[Url] | None = _f(None, "Target of login_action redirect.")
    login_redirect_mode: Literal["fragment", "query"] = _f(
        "fragment", "Where login_tokens go in the login_action redirect URL."
    )
    # H. refresh
    refresh_tokens: bool = _f(True, "Refresh an expiring session access token.")
    # M. sessions
    session_secret: SecretStr | None = _f(None, "Secret the session keys derive from.")
    session_secret_fallbacks: list[SecretStr] | None = _f(
        None, "authgate: previous secrets, still accepted for reading (rotation)."
    )
    session_storage: Literal["cookie"] = _f(
        "cookie", "Where sessions live (authgate: in the cookie only)."
    )
    session_cookie_name: CookieName = _f("session", "Session cookie name (chunks: name2…).")
    session_cookie_path: CookiePath = _f("/", "Path of the session cookie.")
    session_cookie_domain: str | None = _f(None, "Domain of the session cookie.")
    session_cookie_http_only: bool = _f(True, "HttpOnly flag of the session cookie.")
    session_cookie_same_site: SameSite = _f("Lax", "SameSite of the session cookie.")
    session_cookie_secure: bool | None = _f(None, "Secure flag; None: set on https requests.")
    session_idling_timeout: int = _f(900, "Seconds of inactivity ending a session (0: off).", ge=0)
    session_rolling_timeout: int = _f(3600, "Seconds a session lives unrenewed (0: off).", ge=0)
    session_absolute_timeout: int = _f(86400, "Seconds a session lives at most (0: off).", ge=0)
    # N. logout
    logout_uri_suffix: str | None = _f(None, "A path ending in this logs out.")
    logout_query_arg: str | None = _f(None, "A query argument with this name logs out.")
    logout_post_arg: str | None = _f(None, "A form field with this name logs out.")
    logout_methods: list[HttpMethod] = _f(["DELETE", "POST"], "Methods that may log out.")
    logout_redirect_uri: list[Url] | None = _f(None, "Where to go after logout.")
    logout_revoke: bool = _f(False, "Revoke the session's tokens at the IdP on logout.")
    logout_revoke_access_token: bool = _f(True, "With logout_revoke: the access token.")
    logout_revoke_refresh_token: bool = _f(True, "With logout_revoke: the refresh token.")
    revocation_token_param_name: str = _f("token", "Form field of the revoked token.")
    logout_style: Literal["auto", "rp_initiated", "cognito"] = _f(
        "auto", "authgate: end-session request form; auto: cognito for Cognito issuers."
    )
    # O. unauthenticated requests
    unauth_action: Literal["auto", "auth", "deny"] = _f(
        "auto",
        "authgate: auto: browser navigations go to the login page, API/XHR calls get 401;"
        " auth: always redirect (Kong); deny: always 401.",
    )
    unauthorized_destroy_session: bool = _f(True, "End the session on a 401.")
    forbidden_destroy_session: bool = _f(True, "End the session on a 403.")


def browser_problems(config: Any) -> list[Problem]:
    """Cross-field problems of the browser fields (each lists the fields it reads)."""
    problems = []
    browser = {"session", "authorization_code"} & set(config.auth_methods)
    if "auth_methods" in config.model_fields_set and browser:
        verb = "needs" if len(browser) == 1 else "need"
        if config.session_secret is None:
            problems.append(
                Problem(
                    ("auth_methods", "session_secret"),
                    f"{', '.join(sorted(browser))} {verb} session_secret (a random string of at"
                    f" least {MIN_SESSION_SECRET} characters, the same on every worker)",
                )
            )
        if "authorization_code" in browser and not config.client_id:
            problems.append(
                Problem(("auth_methods", "client_id"), "authorization_code needs client_id")
            )
    problems += _secret_problems(config)
    for prefix in ("session_cookie", "authorization_cookie"):
        same_site, secure = f"{prefix}_same_site", f"{prefix}_secure"
        if getattr(config, same_site) == "None" and not getattr(config, secure):
            problems.append(Problem((same_site, secure), f"None needs {secure}: true (browsers)"))
    if config.login_action == "redirect" and not config.login_redirect_uri:
        problems.append(
            Problem(("login_action", "login_redirect_uri"), "redirect needs login_redirect_uri")
        )
    if config.login_action != "upstream" and not config.login_tokens:
        problems.append(
            Problem(("login_action", "login_tokens"), f"{config.login_action} needs login_tokens")
        )
    if config.session_cookie_name == config.authorization_cookie_name:
        problems.append(
            Problem(
                ("session_cookie_name", "authorization_cookie_name"),
                "must differ from authorization_cookie_name",
            )
        )
    return problems


def _secret_problems(config: Any) -> list[Problem]:
    short = f"must be at least {MIN_SESSION_SECRET} characters"
    problems = []
    if config.session_secret is not None and _too_short(config.session_secret):
        problems.append(Problem(("session_secret",), short))
    if any(_too_short(secret) for secret in config.session_secret_fallbacks or ()):
        problems.append(Problem(("session_secret_fallbacks",), f"every secret {short}"))
    return problems


def _too_short(secret: SecretStr) -> bool:
    return len(secret.get_secret_value()) < MIN_SESSION_SECRET
