"""Demo upstream services used by `make up`, the tests and the benchmark."""
