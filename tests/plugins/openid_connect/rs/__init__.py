"""Tests of the resource-server layer (src/.../openid_connect/rs): credentials, verification."""
