"""``python -m opendata_mh`` and the ``opendata-mh`` script: run the command-line interface.

Ctrl-C while the interface is still being imported (the first second) exits 3 ("could not
finish") with one line, never a traceback: nothing has been read or written yet.
"""

from __future__ import annotations

import sys


def run() -> None:
    """Entry point: import the CLI (interruptible) and run it."""
    try:
        from opendata_mh.cli import main
    except KeyboardInterrupt:
        sys.stderr.write("error (interrupted): interrupted while starting; nothing was written\n")
        sys.exit(3)
    main()


if __name__ == "__main__":
    run()
