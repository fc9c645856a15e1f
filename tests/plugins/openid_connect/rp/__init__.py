"""Tests of the relying-party layer (src/.../openid_connect/rp): browser login, session, logout."""
