"""Upstreams: the balancer (:mod:`.balancer`), per-target health (:mod:`.target_health`) and
the active probes (:mod:`.active_checks`). May import :mod:`authgate.http1` and
:mod:`authgate.config`, nothing else of the proxy."""
