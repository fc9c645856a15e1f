"""The data plane: the proxy app on the HTTP/1.1 server core, router, upstreams, workers.

- :mod:`.server`: the server core (listener, connections, exchanges, limits); knows no routes.
- :mod:`.app` (route -> plugins -> forward), :mod:`.forward`, :mod:`.tunnel`, :mod:`.router`,
  :mod:`.runtime` (the compiled config), :mod:`.state` (the one request scope),
  :mod:`.forwarding_headers`, :mod:`.added_headers`, :mod:`.error_responses`, :mod:`.start`.
- :mod:`.upstreams`: load balancing and health checks; :mod:`.workers`: the supervisor and
  its worker processes; :mod:`.observe`: the access log.

May import :mod:`authgate.http1`, :mod:`authgate.config`, :mod:`authgate.plugins` (the phase
contract and registry), never :mod:`authgate.idp`, :mod:`authgate.admin` or :mod:`authgate.cli`.
"""
