"""HTTP/1.1 (RFC 9112) on asyncio: message framing, header fields, the one client.

- :mod:`~authgate.http1.framing`: body framing of requests and responses, head encoding.
- :mod:`~authgate.http1.fields`: connection-specific fields, header-list look-ups.
- :mod:`~authgate.http1.body_queue`, :mod:`~authgate.http1.back_pressure`: flow control.
- :mod:`~authgate.http1.connection`, :mod:`~authgate.http1.pool`: the client connection
  (streaming, with head-size and field-count caps) and its keep-alive pool, used by the proxy.
- :mod:`~authgate.http1.client`: one-shot requests over that pool (the plugins' IdP calls).
- :mod:`~authgate.http1.errors`: why a request to a server failed.

Imports the standard library, httptools and nothing else of authgate: it is the bottom layer
(``tests/test_import_rules.py`` checks it).
"""
