"""Running untrusted student code: a separate process with limits.

What each run gets (all without root tricks beyond an unprivileged user namespace):

- a wall-clock limit: the run is its own process group (session), killed as a whole when the
  limit passes; what it finished by then is kept (the plugin writes as it goes);
- resource limits (``resource.setrlimit``): address space (``memory_mb``), file size (so a
  submission that prints megabytes into a log is stopped), no core dumps;
- no network: when unprivileged user namespaces work, the run is started with ``unshare -rn``
  (a network namespace with only a loopback device, which the Jupyter kernel needs); in every
  case a ``sitecustomize`` audit hook refuses sockets to anything but the loopback address;
- writes only inside the run's folder: HOME, TMPDIR, IPython, Jupyter and numba folders all
  point into it, and the same audit hook refuses ``open`` for writing (and os.remove / rename
  / mkdir) anywhere else. An audit hook is a guard against accidents and naive code, not a
  security boundary: C extensions and ``ctypes`` bypass it. For hostile submissions run the
  grader in a container or VM as well.
"""

from __future__ import annotations

import os
import pathlib
import resource
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

SITECUSTOMIZE = r'''
# Written by the course grader: keeps a run's writes inside its folder and off the network.
import os, sys

if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
    # numba's CUDA simulator runs each GPU thread as an OS thread (1024 for a 32x32 block); at the
    # default 8 MB of stack each they pass the run's memory limit (RLIMIT_AS) before they compute.
    import threading
    threading.stack_size(1 << 20)

_ALLOWED = tuple(p for p in os.environ.get("COURSE_WRITABLE", "").split(os.pathsep) if p)
_DEVICES = ("/dev/null", "/dev/shm", "/dev/tty", "/dev/pts", "/proc/self")

def _ok(path):
    try:
        path = os.path.realpath(os.fsdecode(path))
    except Exception:
        return True  # file descriptors and odd objects: nothing to check
    return any(path == a or path.startswith(a.rstrip("/") + "/") for a in _ALLOWED + _DEVICES)

def _loopback(address):
    if isinstance(address, (str, bytes)):
        return True  # AF_UNIX sockets stay on this machine
    host = address[0] if isinstance(address, tuple) and address else ""
    return host in ("127.0.0.1", "::1", "localhost", "", "0.0.0.0")

def _hook(event, args):
    if not _ALLOWED:
        return
    if event == "open":
        path, mode, flags = args
        writing = (mode and any(c in str(mode) for c in "wax+")) or (isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
        if writing and isinstance(path, (str, bytes, os.PathLike)) and not _ok(path):
            raise PermissionError(f"the grader allows writing only inside the submission's folder, not to {path}")
    elif event in ("os.remove", "os.rmdir", "os.mkdir", "os.rename", "shutil.rmtree", "os.truncate"):
        path = args[0]
        if isinstance(path, (str, bytes, os.PathLike)) and not _ok(path):
            raise PermissionError(f"the grader allows changes only inside the submission's folder, not to {path}")
    elif event in ("socket.connect", "socket.bind", "socket.sendto"):
        address = args[1] if len(args) > 1 else None
        if address is not None and not _loopback(address):
            raise PermissionError(f"no network while grading (tried {address!r})")
    elif event == "socket.getaddrinfo":
        if args and args[0] not in ("127.0.0.1", "::1", "localhost", None, "", "0.0.0.0"):
            raise PermissionError(f"no network while grading (tried to look up {args[0]!r})")

sys.addaudithook(_hook)


class _Skip:
    """jsonschema imports rfc3987_syntax, if installed, to check IRIs in notebook files; building
    its grammar costs seconds in every run and grading never needs it, so it is left out."""

    def find_spec(self, name, path=None, target=None):
        if name == "rfc3987_syntax":
            raise ImportError("left out by the course grader")
        return None


sys.meta_path.insert(0, _Skip())
'''

_UNSHARE: Optional[List[str]] = None


def network_isolation() -> List[str]:
    """The command prefix that runs a program without network (empty when unavailable)."""
    global _UNSHARE
    if _UNSHARE is None:
        _UNSHARE = []
        unshare, ip = shutil.which("unshare"), shutil.which("ip")
        if unshare and ip:
            prefix = [unshare, "-rn", "sh", "-c", f'{ip} link set lo up && exec "$@"', "sh"]
            try:
                ok = subprocess.run(prefix + ["true"], capture_output=True, timeout=10).returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                ok = False
            if ok:
                _UNSHARE = prefix
    return list(_UNSHARE)


@dataclass
class RunResult:
    returncode: Optional[int]
    timed_out: bool
    seconds: float
    log: str


def prepare(folder: pathlib.Path, plugin_source: str) -> pathlib.Path:
    """Write sitecustomize.py, the plugin and its pattern matcher into ``folder/.grader``; return that folder."""
    support = folder / ".grader"
    support.mkdir(parents=True, exist_ok=True)
    (support / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    (support / "course_plugin.py").write_text(plugin_source, encoding="utf-8")
    patterns = pathlib.Path(__file__).with_name("patterns.py")
    (support / "course_patterns.py").write_text(patterns.read_text(encoding="utf-8"), encoding="utf-8")
    # Our own pytest configuration: a pytest.ini or pyproject.toml in the submission is not read.
    (support / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    for sub in ("home", "tmp", "ipython", "jupyter", "numba"):
        (folder / ".grader" / sub).mkdir(exist_ok=True)
    return support


def environment(folder: pathlib.Path, code: pathlib.Path, results: pathlib.Path, extra: Dict[str, str],
                writable: Sequence[pathlib.Path] = ()) -> Dict[str, str]:
    support = folder / ".grader"
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TERM", "CI", "HYPOTHESIS_PROFILE")}
    env.update(
        HOME=str(support / "home"),
        TMPDIR=str(support / "tmp"),
        IPYTHONDIR=str(support / "ipython"),
        JUPYTER_CONFIG_DIR=str(support / "jupyter"),
        JUPYTER_RUNTIME_DIR=str(support / "jupyter" / "runtime"),
        JUPYTER_DATA_DIR=str(support / "jupyter" / "data"),
        JUPYTER_PLATFORM_DIRS="1",
        NUMBA_CACHE_DIR=str(support / "numba"),
        MPLCONFIGDIR=str(support / "tmp"),
        # Ours first: a sitecustomize.py or course_plugin.py in the submission must not replace ours.
        PYTHONPATH=os.pathsep.join([str(support), str(code)]),
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONHASHSEED="0",
        COURSE_RESULTS=str(results),
        COURSE_WRITABLE=os.pathsep.join([str(p.resolve()) for p in (folder, *writable)]),
    )
    env.update(extra)
    return env


def run(
    args: Sequence[str],
    cwd: pathlib.Path,
    env: Dict[str, str],
    timeout: float,
    memory_mb: int,
    log_path: pathlib.Path,
    max_log_mb: int = 20,
    isolate_network: bool = True,
) -> RunResult:
    """Run ``args`` with the limits above; stdout and stderr go to ``log_path``."""

    def limits() -> None:
        if memory_mb:
            cap = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        cap = max_log_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (cap, cap))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    prefix = network_isolation() if isolate_network else []
    start = time.monotonic()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            prefix + list(args), cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, preexec_fn=limits, start_new_session=True,
        )
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(proc)
        # The run is over, but a kernel it started may linger in the group: end it too.
        _kill_group(proc)
    text = log_path.read_text(encoding="utf-8", errors="replace")
    return RunResult(proc.returncode, timed_out, time.monotonic() - start, text[-6000:])


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def python() -> str:
    return sys.executable
