"""Kong ``openid-connect`` fields authgate knows but does not implement yet, with Kong's defaults.

A config may carry one of these only at its Kong default (so Kong configs that spell out
defaults still load); any other value is an error that says so, never a silent no-op.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["UNSUPPORTED_FIELDS", "unsupported_problems"]

_NONE = None
_EMPTY: list[object] = []

# name -> Kong's default. Grouped as in Kong's schema (research/rp.md §2.2).
UNSUPPORTED_FIELDS: Mapping[str, object] = {
    # A. discovery
    "using_pseudo_issuer": False,
    "verify_parameters": False,
    "discovery_headers_names": _NONE,
    "discovery_headers_values": _NONE,
    "token_exchange_endpoint": _NONE,
    "pushed_authorization_request_endpoint": _NONE,
    "mtls_token_endpoint": _NONE,
    "mtls_introspection_endpoint": _NONE,
    "mtls_revocation_endpoint": _NONE,
    # B. client authentication beyond client secrets
    "client_alg": _NONE,
    "client_jwk": _NONE,
    "pushed_authorization_request_endpoint_auth_method": _NONE,
    "tls_client_auth_cert_id": _NONE,
    "tls_client_auth_ssl_verify": True,
    # C. credentials not yet read
    "id_token_param_type": ["header", "query", "body"],
    "id_token_param_name": _NONE,
    # D. authorization code flow: request variants
    "domains": _NONE,
    "require_pushed_authorization_requests": _NONE,
    "require_signed_request_object": _NONE,
    "authorization_query_args_names": _NONE,
    "authorization_query_args_values": _NONE,
    "authorization_query_args_client": _NONE,
    # E. verification variants
    "ignore_signature": _EMPTY,
    "reverify": False,
    "resolve_distributed_claims": False,
    # F/G/H. extra arguments and headers to the IdP
    "introspection_accept": "application/json",
    "introspection_headers_names": _NONE,
    "introspection_headers_values": _NONE,
    "introspection_headers_client": _NONE,
    "introspection_post_args_names": _NONE,
    "introspection_post_args_values": _NONE,
    "introspection_post_args_client": _NONE,
    "introspection_post_args_client_headers": _NONE,
    "userinfo_accept": "application/json",
    "userinfo_headers_names": _NONE,
    "userinfo_headers_values": _NONE,
    "userinfo_headers_client": _NONE,
    "userinfo_query_args_names": _NONE,
    "userinfo_query_args_values": _NONE,
    "userinfo_query_args_client": _NONE,
    "search_user_info": False,
    "token_post_args_names": _NONE,
    "token_post_args_values": _NONE,
    "token_post_args_client": _NONE,
    "token_headers_names": _NONE,
    "token_headers_values": _NONE,
    "token_headers_client": _NONE,
    "token_headers_replay": _NONE,
    "token_headers_prefix": _NONE,
    "token_headers_grants": _NONE,
    "token_cache_key_include_scope": False,
    # I. token exchange
    "token_exchange": _NONE,
    "cache_token_exchange": True,
    # J/K. groups for the ACL plugin, consumer groups
    "authenticated_groups_claim": _NONE,
    "consumer_groups_claim": _NONE,
    "consumer_groups_optional": False,
    # L. headers we do not produce yet
    "upstream_access_token_jwk_header": _NONE,
    "upstream_id_token_jwk_header": _NONE,
    "upstream_introspection_jwt_header": _NONE,
    "upstream_user_info_jwt_header": _NONE,
    "upstream_session_id_header": _NONE,
    "upstream_headers": _NONE,
    "downstream_access_token_header": _NONE,
    "downstream_access_token_jwk_header": _NONE,
    "downstream_id_token_header": _NONE,
    "downstream_id_token_jwk_header": _NONE,
    "downstream_refresh_token_header": _NONE,
    "downstream_introspection_header": _NONE,
    "downstream_introspection_jwt_header": _NONE,
    "downstream_user_info_header": _NONE,
    "downstream_user_info_jwt_header": _NONE,
    "downstream_session_id_header": _NONE,
    "downstream_headers_claims": _NONE,
    "downstream_headers_names": _NONE,
    # M. sessions: other stores and session features
    "session_remember": False,
    "session_remember_cookie_name": "remember",
    "session_remember_rolling_timeout": 604800,
    "session_remember_absolute_timeout": 2592000,
    "session_audience": "default",
    "session_store_metadata": False,
    "session_enforce_same_subject": False,
    "session_hash_subject": False,
    "session_hash_storage_key": False,
    "session_request_headers": _NONE,
    "session_response_headers": _NONE,
    "session_bind": _NONE,
    "redis": _NONE,
    "disable_session": _NONE,
    "jwt_session_cookie": _NONE,
    "jwt_session_claim": "sid",
    # O. redirects on errors
    "unauthorized_redirect_uri": _NONE,
    "forbidden_redirect_uri": _NONE,
    "unexpected_redirect_uri": _NONE,
    # P. proof of possession
    "proof_of_possession_mtls": "off",
    "proof_of_possession_dpop": "off",
    "proof_of_possession_auth_methods_validation": True,
    "dpop_use_nonce": False,
    "dpop_proof_lifetime": 300,
    # Q. cluster-wide caches
    "cache_ttl_resurrect": _NONE,
    "cluster_cache_strategy": "off",
    "cluster_cache_redis": _NONE,
    # R. outbound HTTP proxies
    "keepalive": True,
    "http_version": 1.1,
    "http_proxy": _NONE,
    "http_proxy_authorization": _NONE,
    "https_proxy": _NONE,
    "https_proxy_authorization": _NONE,
    "no_proxy": _NONE,
}


def _is_default(value: object, default: object) -> bool:
    if value is None or value == default:
        return True
    # Kong's array fields with no default also accept an empty array.
    return default is None and value == []


def unsupported_problems(raw: Mapping[str, object]) -> list[str]:
    """One message per unsupported field set to something other than Kong's default."""
    return [
        f"{name}: not supported by authgate yet (only Kong's default"
        f" {UNSUPPORTED_FIELDS[name]!r} is accepted)"
        for name in raw
        if name in UNSUPPORTED_FIELDS and not _is_default(raw[name], UNSUPPORTED_FIELDS[name])
    ]
