"""The data plane: listener, strict HTTP handling, router, upstream pool and workers."""
