"""The `authgate` command line: one module per command group."""
