"""The HTTP/1.1 server core: listener, client connections, exchanges, limits.

It parses requests, frames responses, applies the client timeouts and caps, and hands each
request as an :class:`~authgate.proxy.server.exchange.Exchange` to an
:class:`~authgate.proxy.server.app.App`; it knows nothing of routes, plugins or upstreams.
Another front (HTTP/2) would be a sibling package offering the same Exchange and App.

Imports the standard library, httptools and :mod:`authgate.http1`, nothing else of authgate.
"""
