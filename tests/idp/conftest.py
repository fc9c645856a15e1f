"""Fixtures shared by the IdP tests; they are defined in idp_store_fixtures.py."""

from __future__ import annotations

from idp_store_fixtures import db_url, pg_server_url, pg_session_db, store
from oidc_harness import idp

__all__ = ["db_url", "idp", "pg_server_url", "pg_session_db", "store"]
