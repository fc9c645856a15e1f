"""The IdP's HTTP side: the ASGI app, one module per endpoint, the hosted pages and their
templates, CSRF protection and the single sign-on session cookie.

May import ``authgate.idp.domain``, ``authgate.idp.storage`` and ``authgate.idp.protocol``.
"""
