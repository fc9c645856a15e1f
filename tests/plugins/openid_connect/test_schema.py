"""The config schema: Kong's fields and defaults, every problem reported in one pass."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from authgate.plugins.openid_connect.schema import OpenIDConnectConfig
from authgate.plugins.openid_connect.unsupported import OLD_NAMES, UNSUPPORTED_FIELDS
from plugins.schema_problems import problems

ISSUER = "http://127.0.0.1:9000/pool"
SECRET = "s" * 32

# Every config field of Kong 3.x Enterprise's openid-connect (research/rp.md §2.2 and the
# plugin's schema.lua, session_redis_* and session_memcached_* included), written out here so
# that a field dropped from the schema or from unsupported.py fails a test.
_KONG_FIELDS = """
    anonymous audience audience_claim audience_required auth_methods
    authenticated_groups_claim authorization_cookie_domain authorization_cookie_http_only
    authorization_cookie_name authorization_cookie_path authorization_cookie_same_site
    authorization_cookie_secure authorization_endpoint authorization_query_args_client
    authorization_query_args_names authorization_query_args_values
    authorization_rolling_timeout bearer_token_cookie_name bearer_token_param_type
    by_username_ignore_case cache_introspection cache_token_exchange cache_tokens
    cache_tokens_salt cache_ttl cache_ttl_max cache_ttl_min cache_ttl_neg
    cache_ttl_resurrect cache_user_info claims_forbidden client_alg client_arg client_auth
    client_credentials_param_type client_id client_jwk client_secret cluster_cache_redis
    cluster_cache_strategy consumer_by consumer_claim consumer_groups_claim
    consumer_groups_optional consumer_optional credential_claim disable_session
    discovery_headers_names discovery_headers_values display_errors domains
    downstream_access_token_header downstream_access_token_jwk_header
    downstream_headers_claims downstream_headers_names downstream_id_token_header
    downstream_id_token_jwk_header downstream_introspection_header
    downstream_introspection_jwt_header downstream_refresh_token_header
    downstream_session_id_header downstream_user_info_header downstream_user_info_jwt_header
    dpop_proof_lifetime dpop_use_nonce enable_hs_signatures end_session_endpoint
    expose_error_code extra_jwks_uris forbidden_destroy_session forbidden_error_message
    forbidden_redirect_uri groups_claim groups_required hide_credentials http_proxy
    http_proxy_authorization http_version https_proxy https_proxy_authorization
    id_token_param_name id_token_param_type ignore_signature introspect_jwt_tokens
    introspection_accept introspection_check_active introspection_endpoint
    introspection_endpoint_auth_method introspection_headers_client
    introspection_headers_names introspection_headers_values introspection_hint
    introspection_post_args_client introspection_post_args_client_headers
    introspection_post_args_names introspection_post_args_values
    introspection_token_param_name issuer issuers_allowed jwks_endpoint jwt_session_claim
    jwt_session_cookie keepalive leeway login_action login_methods login_redirect_mode
    login_redirect_uri login_tokens logout_methods logout_post_arg logout_query_arg
    logout_redirect_uri logout_revoke logout_revoke_access_token logout_revoke_refresh_token
    logout_uri_suffix max_age mtls_introspection_endpoint mtls_revocation_endpoint
    mtls_token_endpoint no_proxy password_param_type preserve_query_args
    proof_of_possession_auth_methods_validation proof_of_possession_dpop
    proof_of_possession_mtls pushed_authorization_request_endpoint
    pushed_authorization_request_endpoint_auth_method redirect_uri redis
    rediscovery_lifetime refresh_token_param_name refresh_token_param_type refresh_tokens
    require_proof_key_for_code_exchange require_pushed_authorization_requests
    require_signed_request_object resolve_distributed_claims response_mode response_type
    reverify revocation_endpoint revocation_endpoint_auth_method revocation_token_param_name
    roles_claim roles_required run_on_preflight scopes scopes_claim scopes_required
    search_user_info session_absolute_timeout session_audience session_bind
    session_cookie_domain session_cookie_http_only session_cookie_name session_cookie_path
    session_cookie_same_site session_cookie_secure session_enforce_same_subject
    session_hash_storage_key session_hash_subject session_idling_timeout
    session_memcached_host session_memcached_port session_memcached_prefix
    session_memcached_socket session_redis_cluster_max_redirections
    session_redis_cluster_nodes session_redis_connect_timeout session_redis_host
    session_redis_password session_redis_port session_redis_prefix
    session_redis_read_timeout session_redis_send_timeout session_redis_server_name
    session_redis_socket session_redis_ssl session_redis_ssl_verify session_redis_username
    session_remember session_remember_absolute_timeout session_remember_cookie_name
    session_remember_rolling_timeout session_request_headers session_response_headers
    session_rolling_timeout session_secret session_storage session_store_metadata ssl_verify
    timeout tls_client_auth_cert_id tls_client_auth_ssl_verify token_cache_key_include_scope
    token_endpoint token_endpoint_auth_method token_exchange token_exchange_endpoint
    token_headers_client token_headers_grants token_headers_names token_headers_prefix
    token_headers_replay token_headers_values token_post_args_client token_post_args_names
    token_post_args_values unauthorized_destroy_session unauthorized_error_message
    unauthorized_redirect_uri unexpected_redirect_uri upstream_access_token_header
    upstream_access_token_jwk_header upstream_headers upstream_headers_claims
    upstream_headers_names upstream_id_token_header upstream_id_token_jwk_header
    upstream_introspection_header upstream_introspection_jwt_header
    upstream_refresh_token_header upstream_session_id_header upstream_user_info_header
    upstream_user_info_jwt_header userinfo_accept userinfo_endpoint userinfo_headers_client
    userinfo_headers_names userinfo_headers_values userinfo_query_args_client
    userinfo_query_args_names userinfo_query_args_values using_pseudo_issuer verify_claims
    verify_nonce verify_parameters verify_signature
"""
KONG_FIELDS = _KONG_FIELDS.split()
# authgate's own fields, marked "authgate:" in their descriptions.
EXTENSIONS = {"unauth_action", "logout_style", "session_secret_fallbacks"}


def test_kong_defaults() -> None:
    config = OpenIDConnectConfig.model_validate({"issuer": ISSUER})
    assert config.hide_credentials is True
    assert config.leeway == 0
    assert config.rediscovery_lifetime == 30
    assert config.upstream_access_token_header == "authorization:bearer"
    assert len(config.auth_methods) == 9
    assert config.active_methods == {"bearer", "userinfo"}  # the rest need client_id


def test_every_kong_field_is_supported_or_listed_as_not_yet() -> None:
    supported = set(OpenIDConnectConfig.model_fields)
    assert not supported & set(UNSUPPORTED_FIELDS)
    missing = [name for name in KONG_FIELDS if name not in supported | set(UNSUPPORTED_FIELDS)]
    assert missing == []
    assert set(KONG_FIELDS) == (supported - EXTENSIONS) | set(UNSUPPORTED_FIELDS)


@pytest.mark.parametrize("field", sorted(UNSUPPORTED_FIELDS))
def test_a_kong_field_authgate_lacks_says_so(field: str) -> None:
    [(path, message)] = problems(OpenIDConnectConfig, {"issuer": ISSUER, field: "not-default"})
    assert path == f"config.{field}"
    assert message.startswith("Kong field, not supported by authgate yet; remove it")


@pytest.mark.parametrize("field", sorted(UNSUPPORTED_FIELDS))
def test_a_kong_field_at_its_kong_default_loads(field: str) -> None:
    OpenIDConnectConfig.model_validate({"issuer": ISSUER, field: UNSUPPORTED_FIELDS[field]})


def test_kong_defaults_spelled_out_by_a_deck_dump_load() -> None:
    OpenIDConnectConfig.model_validate(
        {
            "issuer": ISSUER,
            "session_remember": False,
            "require_signed_request_object": None,
            "authorization_query_args_names": [],
            "session_redis_host": "127.0.0.1",
            "redis": {"host": "127.0.0.1", "port": 6379, "ssl": False, "username": None},
        }
    )


def test_a_kong_record_is_checked_key_by_key() -> None:
    assert problems(
        OpenIDConnectConfig, {"issuer": ISSUER, "redis": {"host": "redis", "prot": 6379}}
    ) == [
        (
            "config.redis.host",
            "Kong field, not supported by authgate yet; remove it or leave Kong's default"
            ' "127.0.0.1"',
        ),
        ("config.redis.prot", 'unknown field (did you mean "port"?)'),
    ]


def test_old_kong_names_point_at_the_current_name() -> None:
    config = {"issuer": ISSUER, "session_cookie_samesite": "Lax", "session_strategy": "x"}
    assert problems(OpenIDConnectConfig, config) == [
        (
            "config.session_cookie_samesite",
            "old Kong name (renamed in Kong 3.2); write session_cookie_same_site",
        ),
        ("config.session_strategy", "old Kong field, without effect since Kong 3.2; remove it"),
    ]
    assert not set(OLD_NAMES) & set(KONG_FIELDS)


@pytest.mark.parametrize(
    ("field", "suggestion"),
    [("leway", "leeway"), ("session_redis_hots", "session_redis_host"), ("isuer", "issuer")],
)
def test_a_name_kong_does_not_have_gets_a_did_you_mean(field: str, suggestion: str) -> None:
    found = problems(OpenIDConnectConfig, {"issuer": ISSUER, field: 1})
    assert found == [(f"config.{field}", f'unknown field (did you mean "{suggestion}"?)')]


def test_every_problem_of_the_config_is_reported_at_once() -> None:
    """A bad value, an unsupported Kong field, a typo and two broken rules: five problems
    in one pass (it used to take three runs)."""
    config = {
        "issuer": ISSUER,
        "session_redis_host": "redis",
        "leway": 5,
        "timeout": -1,
        "auth_methods": ["password", "session"],
        "client_secret": ["x"],
    }
    assert problems(OpenIDConnectConfig, config) == [
        (
            "config.session_redis_host",
            "Kong field, not supported by authgate yet; remove it or leave Kong's default"
            ' "127.0.0.1"',
        ),
        ("config.leway", 'unknown field (did you mean "leeway"?)'),
        ("config.timeout", "must be at least 1"),
        ("config.auth_methods", "password needs client_id"),
        (
            "config.auth_methods",
            "session needs session_secret (a random string of at least 32 characters, the"
            " same on every worker)",
        ),
        ("config.client_secret", "needs one entry per client_id"),
    ]


def test_rules_run_even_when_a_required_field_is_invalid() -> None:
    config = {"issuer": "not a url", "verify_signature": False, "enable_hs_signatures": True}
    assert problems(OpenIDConnectConfig, config) == [
        ("config.issuer", '"not a url" is not an http(s) URL'),
        ("config.verify_signature", "cannot be turned off in authgate"),
        ("config.enable_hs_signatures", "needs client_secret (the key)"),
    ]


def test_a_rule_is_not_run_on_an_invalid_field() -> None:
    """login_redirect_uri is invalid: "redirect needs login_redirect_uri" would mislead."""
    config = {"issuer": ISSUER, "login_action": "redirect", "login_redirect_uri": "x"}
    assert problems(OpenIDConnectConfig, config) == [
        ("config.login_redirect_uri", "must be a list")
    ]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"verify_claims": False}, [("config.verify_claims", "cannot be turned off in authgate")]),
        (
            {"scopes_required": [" "]},
            [
                (
                    "config.scopes_required",
                    "entries must name at least one value (an empty entry matches anything)",
                )
            ],
        ),
        (
            {"client_id": ["a", "b"], "client_secret": ["x"]},
            [("config.client_secret", "needs one entry per client_id")],
        ),
        (
            {"auth_methods": ["client_credentials", "password"]},
            [("config.auth_methods", "client_credentials, password need client_id")],
        ),
        ({"introspect_jwt_tokens": True}, [("config.introspect_jwt_tokens", "needs client_id")]),
        (
            {"upstream_headers_claims": ["sub"]},
            [
                (
                    "config.upstream_headers_claims",
                    "needs one upstream_headers_names entry per claim",
                )
            ],
        ),
        (
            {"bearer_token_param_type": ["cookie"]},
            [("config.bearer_token_param_type", "cookie needs bearer_token_cookie_name")],
        ),
        (
            {"auth_methods": ["authorization_code"], "session_secret": SECRET},
            [("config.auth_methods", "authorization_code needs client_id")],
        ),
        (
            {"session_secret": "short"},
            [("config.session_secret", "must be at least 32 characters")],
        ),
        (
            {"session_secret_fallbacks": [SECRET, "short"]},
            [("config.session_secret_fallbacks", "every secret must be at least 32 characters")],
        ),
        (
            {"session_cookie_same_site": "None"},
            [
                (
                    "config.session_cookie_same_site",
                    "None needs session_cookie_secure: true (browsers)",
                )
            ],
        ),
        (
            {"login_action": "redirect"},
            [("config.login_action", "redirect needs login_redirect_uri")],
        ),
        (
            {"login_action": "response", "login_tokens": []},
            [("config.login_action", "response needs login_tokens")],
        ),
        (
            {"session_cookie_name": "authorization"},
            [("config.session_cookie_name", "must differ from authorization_cookie_name")],
        ),
    ],
)
def test_cross_field_rules(config: dict[str, object], expected: list[tuple[str, str]]) -> None:
    assert problems(OpenIDConnectConfig, {"issuer": ISSUER, **config}) == expected


def test_the_schema_alone_reports_through_pydantic() -> None:
    with pytest.raises(ValidationError, match="cannot be turned off"):
        OpenIDConnectConfig.model_validate({"issuer": ISSUER, "verify_signature": False})


def test_secrets_are_hidden_in_repr() -> None:
    config = OpenIDConnectConfig.model_validate(
        {"issuer": ISSUER, "client_id": ["id"], "client_secret": ["s3cret-value"]}
    )
    assert "s3cret-value" not in repr(config)


def test_a_kong_record_set_to_something_else_is_one_short_problem() -> None:
    assert problems(OpenIDConnectConfig, {"issuer": ISSUER, "redis": "redis://r"}) == [
        (
            "config.redis",
            "Kong field, not supported by authgate yet; remove it or leave Kong's defaults",
        )
    ]
