"""The relying-party side: the browser login, its session and logout.

Lives here: the authorization code flow (``authorization_code``, ``login``), the session cookie
(``session``), RP-initiated logout (``logout``, ``logout_flow``), the login and error pages
(``browser``), return URLs (``request_url``) and the phase that ties them together
(``browser_flow``). May import ``rs``, ``idp_client`` and the shared top-level modules
(``errors``, ``schema``, ``services``); never ``plugin`` or ``authgate.idp``.
"""
