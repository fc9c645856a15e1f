"""Tests of the plugin's client of the OpenID Provider (src/.../openid_connect/idp_client)."""
