"""Start a set of processes, restart the ones that die, stop them all: make run and make run-scaled.

A part that crashes (an out-of-memory kill, a bug) is started again after a pause that grows with
each crash in the last ``window_s`` seconds (``RestartPolicy``), so a one-off crash costs residents
seconds and a part that cannot start does not spin; the other parts keep serving meanwhile. make
run gives up when one part crashes ``give_up_after`` times within the window: it says so and stops
everything, because a part that keeps dying needs a person. The scaled profile never gives up
(nginx sends residents to the other instance). "告警" in a log line is what the operators'
alerting matches on.

Optionally each part runs in a process group of its own (stopping or killing it in a fault drill
leaves no child behind) and its output goes to ``<logs_dir>/<name>.log``, echoed with a
``[name]`` prefix if asked; otherwise parts share the launcher's terminal and process group.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Deque, Dict, Iterable, List, Optional, Sequence, Tuple

from launcher import probes

POLL_S = 0.2
PROBE_EVERY_S = 1.0


class GaveUp(RuntimeError):
    """A part crashed too often to go on restarting it; the message names it."""


class NotReady(RuntimeError):
    """A part did not answer its readiness probe in time, or exited first; the message names it."""


@dataclass(frozen=True)
class RestartPolicy:
    """The pause before restarting a part that crashed for the n-th time within ``window_s``
    (``pauses[n - 1]``, the last one repeating), and how many such crashes stop everything."""

    pauses: Tuple[float, ...]
    window_s: float = 60.0
    give_up_after: Optional[int] = None

    def pause(self, crashes: int) -> float:
        return self.pauses[min(max(crashes, 1), len(self.pauses)) - 1]


# make run: 0.5 s, doubling up to 10 s; five crashes of one part within a minute stop everything.
EMBEDDED = RestartPolicy(pauses=(0.5, 1.0, 2.0, 4.0, 8.0, 10.0), give_up_after=5)
# make run-scaled: the other instances serve meanwhile, so the pauses are longer and it never gives up.
SCALED = RestartPolicy(pauses=(5.0, 10.0, 30.0, 60.0))


@dataclass
class Part:
    """One supervised process: its name (as the operator reads it), command, probe and recent crashes."""

    name: str
    argv: List[str]
    probe: Optional[probes.Probe] = None
    env: Dict[str, str] = field(default_factory=dict)  # on top of the supervisor's environment
    process: Optional[subprocess.Popen] = None
    pump: Optional[threading.Thread] = None
    crashes: Deque[float] = field(default_factory=deque)
    restart_at: Optional[float] = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


def _named(name: str) -> str:
    """The name as it stands before Chinese text: a space after a Latin name (actions-1 意外退出)."""
    return f"{name} " if name[-1:].isascii() and name[-1:].isalnum() else name


class Supervisor:
    """Starts the parts, restarts the ones that die (with back-off), stops them all on request."""

    def __init__(
        self,
        parts: Iterable[Part],
        policy: RestartPolicy = EMBEDDED,
        *,
        clock: Callable[[], float] = time.monotonic,
        env: Optional[Dict[str, str]] = None,
        cwd: Optional[Path] = None,
        logs_dir: Optional[Path] = None,
        echo: bool = False,
        own_groups: bool = False,
        grace_s: float = 10.0,
    ):
        self.parts: Dict[str, Part] = {part.name: part for part in parts}
        self.policy, self._clock = policy, clock
        self.env, self.cwd, self.logs_dir, self.echo = env, cwd, logs_dir, echo
        self.own_groups, self.grace_s = own_groups, grace_s

    # ── starting and watching ───────────────────────────────────────────────────────────────────
    def start(self, names: Optional[Iterable[str]] = None) -> None:
        """Start the named parts (default: all) that are not running, in the order they were given."""
        for name in self._names(names):
            part = self.parts[name]
            if not part.running:
                part.restart_at = None
                self._spawn(part)

    def check(self) -> None:
        """Note the parts that died and restart those whose pause is over; GaveUp if one keeps dying."""
        now = self._clock()
        for part in self.parts.values():
            if part.running:
                continue
            if part.restart_at is None:
                self._crashed(part, now)
            elif now >= part.restart_at:
                part.restart_at = None
                self._spawn(part)
                print(f"{_named(part.name)}已重新启动。", file=sys.stderr, flush=True)

    def _crashed(self, part: Part, now: float) -> None:
        part.crashes.append(now)
        while part.crashes and part.crashes[0] <= now - self.policy.window_s:
            part.crashes.popleft()
        code = part.process.returncode if part.process else None
        limit = self.policy.give_up_after
        if limit is not None and len(part.crashes) >= limit:
            raise GaveUp(
                f"{_named(part.name)}在 {self.policy.window_s:.0f} 秒内意外退出 {len(part.crashes)} 次（退出码 {code}）"
            )
        pause = self.policy.pause(len(part.crashes))
        part.restart_at = now + pause
        where = f"；日志 {self.log_path(part.name)}" if self.logs_dir else ""
        print(
            f"告警：{_named(part.name)}意外退出（退出码 {code}），{pause:g} 秒后重启{where}。",
            file=sys.stderr,
            flush=True,
        )

    def watch(self) -> None:
        """Check every POLL_S until interrupted (KeyboardInterrupt) or a part keeps crashing (GaveUp)."""
        while True:
            self.check()
            time.sleep(POLL_S)

    def run(self, ready_within: Optional[float] = None, when_ready: str = "") -> int:
        """Start (and, given ``ready_within`` seconds, wait until every probe passes and print
        ``when_ready``), then supervise until Ctrl-C/SIGTERM (0), or until a part does not get
        ready or keeps crashing (1); stops everything."""
        try:
            self.start()
            if ready_within is not None:
                self.wait_until_ready(ready_within)
                print(when_ready, flush=True)
            self.watch()
        except NotReady as error:
            print(f"启动失败：{error}", file=sys.stderr, flush=True)
            return 1
        except GaveUp as error:
            print(f"告警：{error}，已放弃重启，正在停止全部服务。请查看上面的日志。", file=sys.stderr, flush=True)
            return 1
        except KeyboardInterrupt:
            print("正在停止……", flush=True)
            return 0
        finally:
            self.stop()

    def wait_until_ready(self, timeout: float, names: Optional[Iterable[str]] = None) -> None:
        """Poll each part's probe, in the order the parts were given, until all pass; NotReady names
        the first that exited or did not pass within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        for name in self._names(names):
            part = self.parts[name]
            while part.probe is not None and not probes.passes(part.probe):
                where = f"，见 {self.log_path(name)}" if self.logs_dir else ""
                if not part.running:
                    code = part.process.returncode if part.process else None
                    raise NotReady(f"{_named(name)}已退出（退出码 {code}）{where}")
                if time.monotonic() > deadline:
                    raise NotReady(f"{_named(name)}未在 {timeout:.0f} 秒内就绪{where}")
                time.sleep(PROBE_EVERY_S)

    # ── stopping ───────────────────────────────────────────────────────────────────────────────
    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the part (its whole group, if it has one) and wait for it to end (fault drills)."""
        part = self.parts[name]
        if part.running:
            self._signal(part, sig)
            part.process.wait(timeout=self.grace_s)
            if part.pump:
                part.pump.join(timeout=5)

    def stop(self, names: Optional[Iterable[str]] = None) -> None:
        """SIGTERM to every part in order, SIGKILL to those still running after the grace time."""
        parts = [self.parts[name] for name in self._names(names)]
        for part in parts:
            if part.running:
                # SIGTERM, not SIGINT: a shell starting us in the background makes children ignore SIGINT.
                self._signal(part, signal.SIGTERM)
        deadline = time.monotonic() + self.grace_s
        for part in parts:
            if part.process is None:
                continue
            try:
                part.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._signal(part, signal.SIGKILL)
                part.process.wait(timeout=5)
            if part.pump:
                part.pump.join(timeout=5)

    def log_path(self, name: str) -> Optional[Path]:
        return self.logs_dir / f"{name}.log" if self.logs_dir else None

    # ── processes ──────────────────────────────────────────────────────────────────────────────
    def _names(self, names: Optional[Iterable[str]]) -> List[str]:
        wanted = set(self.parts if names is None else names)
        return [name for name in self.parts if name in wanted]

    def _spawn(self, part: Part) -> None:
        env = None
        if self.env is not None or part.env:
            env = {**(os.environ if self.env is None else self.env), **part.env}
        options = dict(cwd=self.cwd, env=env, start_new_session=self.own_groups)
        if self.logs_dir is None:
            part.process = subprocess.Popen(part.argv, **options)
            return
        log = open(self.log_path(part.name), "ab")
        part.process = subprocess.Popen(
            part.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **options
        )
        prefix = f"[{part.name}] ".encode() if self.echo else None
        part.pump = threading.Thread(target=_pump, args=(part.process.stdout, log, prefix), daemon=True)
        part.pump.start()

    def _signal(self, part: Part, sig: int) -> None:
        try:
            if self.own_groups:
                os.killpg(part.process.pid, sig)
            else:
                part.process.send_signal(sig)
        except ProcessLookupError:
            pass


def _pump(stream: IO[bytes], log: IO[bytes], prefix: Optional[bytes]) -> None:
    with stream, log:
        for line in iter(stream.readline, b""):
            log.write(line)
            log.flush()
            if prefix is not None:
                sys.stdout.buffer.write(prefix + line)
                sys.stdout.buffer.flush()


def stop_on_signals() -> None:
    """SIGTERM and SIGINT both stop everything (KeyboardInterrupt), even when a non-interactive
    shell started us with SIGINT ignored."""
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGINT, _raise_interrupt)


def _raise_interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def children(parent: int) -> List[Tuple[int, str]]:
    """(pid, command line) of every living process whose parent is ``parent``, from /proc
    (psutil is not among the locked dependencies)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        # the command name may contain spaces or parentheses: state and ppid follow the last ")"
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == parent and state != "Z":
            found.append((int(entry.name), cmdline))
    return found


def tree(root: int) -> Sequence[int]:
    """``root`` and every process below it, parents first."""
    pids, queue = [], [root]
    while queue:
        current = queue.pop(0)
        pids.append(current)
        queue.extend(pid for pid, _ in children(current))
    return pids
