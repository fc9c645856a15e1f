"""Token-endpoint grants (RFC 6749 §4), one module per grant type."""
