"""The resource-server side: finding and verifying the credential a request carries.

Lives here: reading credentials from a request (``request_credentials``, ``bearer``), JWT access
and ID token validation (``access_token``, ``id_token``), introspection and userinfo,
the claims rules (``claims``), Kong's credential search (``authenticate``, over
``verification`` and ``token_grants``; its result in ``identity``) and the identity headers sent
upstream (``headers``). May import ``idp_client`` and the shared top-level modules
(``errors``, ``schema``, ``services``); never ``rp``, ``plugin`` or ``authgate.idp``.
"""
