"""The IdP's OAuth 2.0 / OpenID Connect protocol: token issuing and checking, grants, PKCE,
client authentication, authorization requests, OAuth errors and signed form values.

Framework-light (request parameters and Starlette responses at most); may import
``authgate.idp.domain`` and ``authgate.idp.storage``, never ``authgate.idp.web``.
"""
