"""The admin API (Kong-like, on loopback): node info, status, entities, ``/config``, metrics.

Import what you need from the submodules (``authgate.admin.app``, ``authgate.admin.metrics``):
workers import only the metrics observer, so this package imports nothing eagerly.
"""

from __future__ import annotations
