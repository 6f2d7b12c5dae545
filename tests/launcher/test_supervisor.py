"""bot.serve's supervisor, with tiny stand-in children: restart with backoff, give up loudly, stop on signal."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from launcher import embedded as serve
from tests.conftest import REPO

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]
CRASHER = [sys.executable, "-c", "raise SystemExit(3)"]


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def supervisors():
    made = []
    yield lambda commands, clock=time.monotonic: made.append(serve.Supervisor(commands, clock)) or made[-1]
    for supervisor in made:
        supervisor.stop()


def wait_exit(process):
    process.wait(timeout=10)


def test_backoff_doubles_from_half_a_second_up_to_ten():
    assert [serve.backoff(n) for n in range(1, 8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_a_killed_child_is_restarted_after_its_pause_and_the_others_keep_running(supervisors, capsys):
    clock = Clock()
    supervisor = supervisors({"动作服务器": SLEEPER, "网页服务": SLEEPER}, clock)
    supervisor.start()
    actions, web = supervisor.children
    first, web_process = actions.process, web.process
    first.kill()
    wait_exit(first)

    supervisor.check()
    assert not actions.running and actions.restart_at == clock.now + 0.5
    assert "告警：动作服务器意外退出（退出码 -9），0.5 秒后重启" in capsys.readouterr().err
    clock.now += 0.4
    supervisor.check()
    assert not actions.running
    clock.now += 0.1
    supervisor.check()
    assert actions.running and actions.process.pid != first.pid
    assert "动作服务器已重新启动" in capsys.readouterr().err
    assert web.process is web_process and web.running


def test_crashes_age_out_of_the_window_so_the_pause_starts_small_again(supervisors):
    clock = Clock()
    supervisor = supervisors({"网页服务": SLEEPER}, clock)
    supervisor.start()
    (child,) = supervisor.children
    for expected in (0.5, 1.0):
        child.process.kill()
        wait_exit(child.process)
        supervisor.check()
        assert child.restart_at == clock.now + expected
        clock.now = child.restart_at
        supervisor.check()
    clock.now += serve.CRASH_WINDOW_S + 1
    child.process.kill()
    wait_exit(child.process)
    supervisor.check()
    assert child.restart_at == clock.now + 0.5


def test_a_child_that_keeps_crashing_makes_it_give_up_loudly_and_stop_everything(supervisors, capsys, monkeypatch):
    monkeypatch.setattr(serve, "BACKOFF_FIRST_S", 0.01)
    monkeypatch.setattr(serve, "POLL_S", 0.01)
    supervisor = supervisors({"动作服务器": CRASHER, "网页服务": SLEEPER})
    started = time.monotonic()
    assert supervisor.run() == 1
    assert time.monotonic() - started < 10
    err = capsys.readouterr().err
    assert err.count("动作服务器意外退出（退出码 3）") == serve.CRASH_LIMIT - 1
    assert f"告警：动作服务器在 60 秒内意外退出 {serve.CRASH_LIMIT} 次" in err and "已放弃重启，正在停止全部服务" in err
    assert all(not child.running for child in supervisor.children)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_ctrl_c_stop_every_child(sig):
    script = textwrap.dedent(
        """
        import signal, sys
        from launcher import embedded as serve
        signal.signal(signal.SIGTERM, serve._raise_interrupt)
        signal.signal(signal.SIGINT, serve._raise_interrupt)
        sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
        supervisor = serve.Supervisor({"a": sleeper, "b": sleeper})
        supervisor.start()
        pids = " ".join(str(child.process.pid) for child in supervisor.children)
        # run() starts nothing more (the children are up already) and says so inside its try: a
        # signal sent before that would interrupt the script, not the supervisor.
        supervisor.start = lambda: print(pids, flush=True)
        raise SystemExit(supervisor.run())
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    )
    pids = [int(pid) for pid in process.stdout.readline().split()]
    assert len(pids) == 2
    process.send_signal(sig)
    assert process.wait(timeout=20) == 0
    for pid in pids:
        assert not os.path.exists(f"/proc/{pid}"), f"child {pid} left running"
