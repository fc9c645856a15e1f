"""Worker processes: the supervisor (:mod:`.supervisor`) that starts, reloads and stops them
over a pipe (:mod:`.worker_handle`), and the worker's own loop (:mod:`.worker`).
May import the rest of :mod:`authgate.proxy`, :mod:`authgate.config` and :mod:`authgate.plugins`."""
