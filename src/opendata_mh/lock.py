"""One writer at a time on a metadata tree: an advisory lock (``flock``) on the directory itself.

``build`` holds it from before it reads the metadata until the edition and the package are
written; ``generate`` (when it writes) holds it while it reads the metadata and writes the
package. A second writer waits up to ``timeout`` seconds and then refuses with
:class:`LockedError` (CLI exit 3): two builds never both report "written" with one result lost.
The lock is on the directory's own file descriptor, so no lock file appears in the tree, and it
is re-entrant within a process (``build`` calls ``generate`` while it holds the lock). The
operating system drops it when the process ends, however it ends.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from opendata_mh.errors import OpendataMhError

try:  # POSIX; elsewhere the lock is a no-op
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]


class LockedError(OpendataMhError):
    """Another build or generate holds the lock on the metadata tree."""

    code = "metadata.locked"


_HELD: dict[str, int] = {}


@contextmanager
def metadata_lock(root: str | Path, *, timeout: float = 0.0, what: str = "build") -> Iterator[None]:
    """Hold the exclusive lock on the directory ``root`` (waiting up to ``timeout`` s)."""
    path = Path(root)
    if not path.is_dir() or fcntl is None:  # nothing to lock (the loader reports a missing tree)
        yield
        return
    key = str(path.resolve())
    if _HELD.get(key):
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    fd = os.open(key, os.O_RDONLY)
    try:
        deadline = time.monotonic() + max(timeout, 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockedError(
                        f"{path} is locked by another build or generate (waited {timeout:g} s); "
                        f"the {what} did not start and nothing was written; run it again when "
                        "the other one has finished"
                    ) from None
                time.sleep(0.1)
        _HELD[key] = 1
        try:
            yield
        finally:
            _HELD.pop(key, None)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


__all__ = ["LockedError", "metadata_lock"]
