"""Timing, child-process peak memory, and the machine's description."""

from __future__ import annotations

import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass
class ChildRun:
    wall: float  # seconds
    peak_rss_mb: float  # the child's own peak resident set (ru_maxrss)
    peak_tree_rss_mb: float  # the most its process tree held at once (sampled)
    returncode: int
    stdout: bytes
    stderr: bytes


_GNU_TIME = Path("/usr/bin/time")


def run_child(args: Sequence[str], *, env: dict[str, str] | None = None,
              stdout_to: Path | None = None) -> ChildRun:
    """Run a command; its wall time and its own peak RSS.

    The peak comes from GNU time (``-f %M``) where it is installed: Linux keeps a
    process's high-water mark across exec, so the ``ru_maxrss`` of a child forked from
    this (large) process would report this process's size. Without GNU time it falls
    back to ``os.wait4``'s ``ru_maxrss``, an upper bound."""
    out = open(stdout_to, "wb") if stdout_to else subprocess.PIPE
    rss_file = None
    if _GNU_TIME.exists():
        import tempfile

        fd, rss_file = tempfile.mkstemp(prefix="bench-rss-")
        os.close(fd)
        args = [str(_GNU_TIME), "-f", "%M", "-o", rss_file, *args]
    try:
        start = time.perf_counter()
        if env is None:
            # as installed: pip writes bytecode caches, and a user's catalog starts from
            # them (a machine set to PYTHONDONTWRITEBYTECODE would compile every module
            # on every run, some 80 ms of a search's wall time)
            env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        proc = subprocess.Popen(list(args), stdout=out, stderr=subprocess.PIPE, env=env)
        sampler = _TreeSampler(proc.pid)
        # read stderr to the end before waiting, so a chatty child cannot block on a pipe
        stdout = proc.stdout.read() if proc.stdout else b""
        stderr = proc.stderr.read() if proc.stderr else b""
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if stdout_to:
            out.close()  # type: ignore[union-attr]
    peak_kb = usage.ru_maxrss
    if rss_file:
        text = Path(rss_file).read_text().strip()
        Path(rss_file).unlink()
        if text.splitlines() and text.splitlines()[-1].isdigit():
            peak_kb = int(text.splitlines()[-1])
    return ChildRun(wall, peak_kb / 1024, max(sampler.peak_kb, 0) / 1024, proc.returncode,
                    stdout, stderr)


class _TreeSampler:
    """Samples the resident memory of a process and all its descendants (a load parses
    ahead in a second process: its memory counts too) every ``EVERY`` seconds, in a
    thread. Every 20 ms, walking /proc took half a core of a 2-core machine from the
    load it measured; the peak of a minutes-long load moves slowly."""

    EVERY = 0.25

    def __init__(self, pid: int) -> None:
        import threading

        self.pid, self.peak_kb, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.EVERY):
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(p) for p in _tree(self.pid)))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100), linear between the closest ranks."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def file_size(path: Path) -> int:
    """A SQLite file with its write-ahead log, if one is left."""
    total = 0
    for p in (path, Path(f"{path}-wal")):
        if p.exists():
            total += p.stat().st_size
    return total


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.0f} GB"
                break
    except OSError:
        pass
    try:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "load average at start": load,
    }


def fmt_s(seconds: float) -> str:
    if seconds != seconds:  # NaN: not measured
        return "-"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    if seconds < 120:
        return f"{seconds:.2f} s"
    return f"{seconds:.0f} s ({seconds / 60:.1f} min)"


def fmt_mb(n_bytes: float) -> str:
    return f"{n_bytes / 1e6:,.0f} MB" if n_bytes >= 1e7 else f"{n_bytes / 1e6:.1f} MB"
