"""HTTP endpoints of the IdP, one module per endpoint."""
