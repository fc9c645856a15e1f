"""What happened to requests: the access log (:mod:`.access_log`) fed with
:class:`~authgate.plugins.access_record.AccessRecord`. May import :mod:`authgate.plugins`'
access record only."""
