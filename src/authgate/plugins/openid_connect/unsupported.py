"""Kong ``openid-connect`` fields authgate does not implement yet, with Kong's defaults.

The table is complete against Kong 3.x Enterprise's schema (``research/rp.md`` §2.2 and the
plugin's ``schema.lua``): every Kong field is either a field of
:class:`~authgate.plugins.openid_connect.schema.OpenIDConnectConfig` or listed here. A config
may carry one of these only at its Kong default (so Kong configs and deck dumps that spell
defaults out still load); any other value is an error that says so, never a silent no-op.
:data:`OLD_NAMES` lists the names Kong 3.x still accepts from Kong 2.x (``shorthand_fields``).
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["OLD_NAMES", "UNSUPPORTED_FIELDS"]

_NONE = None
_EMPTY: list[object] = []
# Kong's shared Redis record (kong/enterprise_edition/redis), as openid-connect uses it.
_CLUSTER_CACHE_REDIS: Mapping[str, object] = {
    "host": "127.0.0.1",
    "port": 6379,
    "connect_timeout": 2000,
    "send_timeout": 2000,
    "read_timeout": 2000,
    "username": _NONE,
    "password": _NONE,
    "sentinel_username": _NONE,
    "sentinel_password": _NONE,
    "database": 0,
    "keepalive_pool_size": 256,
    "keepalive_backlog": _NONE,
    "sentinel_master": _NONE,
    "sentinel_role": _NONE,
    "sentinel_nodes": _NONE,
    "cluster_nodes": _NONE,
    "ssl": False,
    "ssl_verify": False,
    "server_name": _NONE,
    "cluster_max_redirections": 5,
    "connection_is_proxied": False,
    "cloud_authentication": _NONE,
}
_REDIS: Mapping[str, object] = {**_CLUSTER_CACHE_REDIS, "prefix": _NONE, "socket": _NONE}

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
    "redis": _REDIS,
    "disable_session": _NONE,
    "jwt_session_cookie": _NONE,
    "jwt_session_claim": "sid",
    # M. session store settings of Kong < 3.6 (shorthands of `redis` since Kong 3.6)
    "session_memcached_prefix": _NONE,
    "session_memcached_socket": _NONE,
    "session_memcached_host": "127.0.0.1",
    "session_memcached_port": 11211,
    "session_redis_prefix": _NONE,
    "session_redis_socket": _NONE,
    "session_redis_host": "127.0.0.1",
    "session_redis_port": 6379,
    "session_redis_username": _NONE,
    "session_redis_password": _NONE,
    "session_redis_connect_timeout": _NONE,
    "session_redis_read_timeout": _NONE,
    "session_redis_send_timeout": _NONE,
    "session_redis_ssl": False,
    "session_redis_ssl_verify": False,
    "session_redis_server_name": _NONE,
    "session_redis_cluster_nodes": _NONE,
    "session_redis_cluster_max_redirections": _NONE,
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
    "cluster_cache_redis": _CLUSTER_CACHE_REDIS,
    # R. outbound HTTP proxies
    "keepalive": True,
    "http_version": 1.1,
    "http_proxy": _NONE,
    "http_proxy_authorization": _NONE,
    "https_proxy": _NONE,
    "https_proxy_authorization": _NONE,
    "no_proxy": _NONE,
}

# Kong 2.x names Kong 3.x still accepts -> the current name (None: accepted, no effect).
# Source: Kong's 3.2 changelog (lua-resty-session 4) and the schema's shorthand_fields.
OLD_NAMES: Mapping[str, str | None] = {
    "authorization_cookie_lifetime": "authorization_rolling_timeout",
    "authorization_cookie_samesite": "authorization_cookie_same_site",
    "authorization_cookie_httponly": "authorization_cookie_http_only",
    "session_cookie_lifetime": "session_rolling_timeout",
    "session_cookie_idletime": "session_idling_timeout",
    "session_cookie_samesite": "session_cookie_same_site",
    "session_cookie_httponly": "session_cookie_http_only",
    "session_memcache_prefix": "session_memcached_prefix",
    "session_memcache_socket": "session_memcached_socket",
    "session_memcache_host": "session_memcached_host",
    "session_memcache_port": "session_memcached_port",
    "session_redis_cluster_maxredirections": "session_redis_cluster_max_redirections",
    "session_cookie_renew": None,
    "session_cookie_maxsize": None,
    "session_strategy": None,
    "session_compressor": None,
}
