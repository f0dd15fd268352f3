"""Ctrl-C (SIGINT) at several moments of a real build, in a subprocess: always exit 3 (could not
finish), never a traceback or click's 'Aborted!', and either nothing written (the tree digest is
unchanged) or the complete edition and package -- and the message says which. The signal is sent
when the build reports the stage on stderr (its readiness lines 'build: ...'), or raised inside
the process at an exact point (import, write, rendering); no fixed sleeps."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from opendata_mh.model import load_metadata

from .conftest import tree_digest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

NOTHING = "interrupted; nothing was written"


def _args(work: Path, raw: Path) -> list[str]:
    return [
        "build", "--year", "2024", "--input", str(raw), "--date", "2025-06-30",
        "--metadata", str(work / "metadata"), "--out", str(work / "datapackage"),
    ]  # fmt: skip


def _run_until(work: Path, raw: Path, marker: str) -> tuple[int, str]:
    """Start the build, wait for ``marker`` on its stderr, send SIGINT; (exit code, stderr)."""
    cmd = [sys.executable, "-m", "opendata_mh", *_args(work, raw)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str | None] = queue.Queue()
    seen: list[str] = []

    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    while True:
        line = lines.get(timeout=300)
        if line is None:
            proc.wait(timeout=60)
            pytest.fail(f"the build ended before {marker!r}: {''.join(seen)}")
        seen.append(line)
        if line.startswith(marker):
            proc.send_signal(signal.SIGINT)
            break
    proc.wait(timeout=300)
    while (line := lines.get(timeout=60)) is not None:
        seen.append(line)
    return proc.returncode, "".join(seen)


@pytest.mark.parametrize(
    "marker", ["build: reading", "build: protecting", "build: checking"], ids=str.split
)
def test_sigint_before_the_write_writes_nothing(work: Path, raw2024: Path, marker: str) -> None:
    before = tree_digest(work)
    code, err = _run_until(work, raw2024, marker)
    assert code == 3, err
    assert f"error (build.interrupted): {NOTHING}" in err
    assert "Traceback" not in err and "Aborted!" not in err
    assert tree_digest(work) == before


def test_sigint_at_the_write_is_all_or_nothing_and_says_which(work: Path, raw2024: Path) -> None:
    before = tree_digest(work)
    code, err = _run_until(work, raw2024, "build: writing")
    assert code == 3, err
    assert "Traceback" not in err and "Aborted!" not in err
    if NOTHING in err:
        assert tree_digest(work) == before
    else:
        assert "edition 2024 is complete" in err, err
        _assert_complete(work)


def _assert_complete(work: Path) -> None:
    meta = load_metadata(work / "metadata")
    assert meta.package.version == "2024.1.0"
    desc = (work / "datapackage" / "datapackage.json").read_text(encoding="utf-8")
    assert '"version": "2024.1.0"' in desc


HOOKS = {
    # Ctrl-C while the CLI is being imported (the first second): no traceback, exit 3
    "import": (
        "import builtins, os, signal\n"
        "real = builtins.__import__\n"
        "def hook(name, *a, **k):\n"
        "    if name == 'rich.console':\n"
        "        builtins.__import__ = real\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "    return real(name, *a, **k)\n"
        "builtins.__import__ = hook\n"
    ),
    # Ctrl-C in the middle of the write (the edition is in place, the package being written)
    "write": (
        "import os, signal\n"
        "import opendata_mh.build as b\n"
        "real = b.generate\n"
        "def gen(*a, **k):\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    return real(*a, **k)\n"
        "b.generate = gen\n"
    ),
    # Ctrl-C after the write, while the result is printed
    "render": (
        "import os, signal\n"
        "import opendata_mh.cli as c\n"
        "def render(*a, **k):\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "c.render_build = render\n"
    ),
}


@pytest.mark.parametrize("moment", list(HOOKS))
def test_sigint_at_an_exact_moment(work: Path, raw2024: Path, moment: str) -> None:
    before = tree_digest(work)
    code = HOOKS[moment] + (
        "import sys\nsys.argv = ['opendata-mh', *sys.argv[1:]]\n"
        "from opendata_mh.__main__ import run\nrun()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *_args(work, raw2024)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ},
    )
    err = proc.stderr
    assert proc.returncode == 3, err
    assert "Traceback" not in err and "Aborted!" not in err
    if moment == "import":
        assert "error (interrupted): interrupted while starting; nothing was written" in err
        assert tree_digest(work) == before
    elif moment == "write":
        assert "interrupted while writing; the write was finished first: edition 2024" in err
        _assert_complete(work)
    else:
        assert "interrupted after the build; edition 2024 is complete" in err
        _assert_complete(work)
