"""A forked worker leaves when its parent does, whether it holds a Connection or a raw pipe descriptor
(guard passes ``os.pipe`` ends, eval a ``multiprocessing`` pipe), and says nothing on its way out."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import multiprocessing, os, sys, time
    from ksafe.processes import die_with_parent

    kind = sys.argv[1]
    if kind == "fd":
        read_end, write_end = os.pipe()
    else:
        read_end, write_end = multiprocessing.Pipe(duplex=False)

    def child():
        if kind == "fd":
            os.close(write_end)
        else:
            write_end.close()
        die_with_parent(read_end)
        time.sleep(30)  # the watchdog must end this early
        sys.exit(5)

    p = multiprocessing.get_context("fork").Process(target=child)
    start = time.monotonic()
    p.start()
    time.sleep(0.5)
    if kind == "fd":
        os.close(write_end)
    else:
        write_end.close()
    p.join(20)
    print(p.exitcode, round(time.monotonic() - start))
    """
)


@pytest.mark.parametrize("kind", ["fd", "connection"])
def test_a_worker_exits_quietly_when_its_parent_end_closes(kind: str) -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT, kind], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    code, seconds = done.stdout.split()
    assert code == "1" and int(seconds) < 10
    assert "Traceback" not in done.stderr, done.stderr
