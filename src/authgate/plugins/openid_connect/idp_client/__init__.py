"""The plugin's client of the OpenID Provider: discovery, JWKS, the token endpoint and its grants.

Lives here: provider metadata and keys (``discovery``, ``jwks``, ``provider``), the outbound
HTTP client (``http_client``), client authentication (``client_auth``), token-endpoint grants
(``grants``), Kong's ``cache_tokens`` (``grant_cache``), the bounded cache (``token_cache``) and
single-flight refreshes (``refresh``). May import the plugin's shared top-level modules
(``errors``, ``schema``) and ``authgate.plugins.base``; never ``rs``, ``rp`` or ``authgate.idp``.
"""
