"""`python -m authgate` runs the command line."""

from __future__ import annotations

from authgate.cli.entry import main

if __name__ == "__main__":
    main()
