"""The launcher's supervisor, with tiny stand-in children: restart with back-off, give up loudly, stop on signal.

make run's policy (EMBEDDED) and the scaled profile's (SCALED: its own process groups and log files)."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from launcher import supervisor as launcher
from launcher.supervisor import EMBEDDED, SCALED, Part, RestartPolicy, Supervisor
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

    def make(commands, clock=time.monotonic, policy=EMBEDDED, **options):
        parts = [Part(name, argv) for name, argv in commands.items()]
        made.append(Supervisor(parts, policy, clock=clock, **options))
        return made[-1]

    yield make
    for supervisor in made:
        supervisor.stop()


def wait_exit(process):
    process.wait(timeout=10)


def test_backoff_doubles_from_half_a_second_up_to_ten():
    assert [EMBEDDED.pause(n) for n in range(1, 8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_the_scaled_profile_pauses_longer_and_never_gives_up():
    assert [SCALED.pause(n) for n in range(1, 7)] == [5, 10, 30, 60, 60, 60]
    assert SCALED.give_up_after is None and EMBEDDED.give_up_after == 5


def test_a_killed_child_is_restarted_after_its_pause_and_the_others_keep_running(supervisors, capsys):
    clock = Clock()
    supervisor = supervisors({"动作服务器": SLEEPER, "网页服务": SLEEPER}, clock)
    supervisor.start()
    actions, web = supervisor.parts.values()
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
    (child,) = supervisor.parts.values()
    for expected in (0.5, 1.0):
        child.process.kill()
        wait_exit(child.process)
        supervisor.check()
        assert child.restart_at == clock.now + expected
        clock.now = child.restart_at
        supervisor.check()
    clock.now += EMBEDDED.window_s + 1
    child.process.kill()
    wait_exit(child.process)
    supervisor.check()
    assert child.restart_at == clock.now + 0.5


def test_a_child_that_keeps_crashing_makes_it_give_up_loudly_and_stop_everything(supervisors, capsys, monkeypatch):
    monkeypatch.setattr(launcher, "POLL_S", 0.01)
    fast = RestartPolicy(pauses=(0.01,), give_up_after=EMBEDDED.give_up_after)  # make run's limit, short pauses
    supervisor = supervisors({"动作服务器": CRASHER, "网页服务": SLEEPER}, policy=fast)
    started = time.monotonic()
    assert supervisor.run() == 1
    assert time.monotonic() - started < 10
    err = capsys.readouterr().err
    assert err.count("动作服务器意外退出（退出码 3）") == EMBEDDED.give_up_after - 1
    assert (
        f"告警：动作服务器在 60 秒内意外退出 {EMBEDDED.give_up_after} 次" in err
        and "已放弃重启，正在停止全部服务" in err
    )
    assert all(not child.running for child in supervisor.parts.values())


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_ctrl_c_stop_every_child(sig):
    script = textwrap.dedent(
        """
        import sys
        from launcher.supervisor import Part, Supervisor, stop_on_signals
        stop_on_signals()
        sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
        supervisor = Supervisor([Part("a", sleeper), Part("b", sleeper)])
        supervisor.start()
        pids = " ".join(str(child.process.pid) for child in supervisor.parts.values())
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


def test_a_scaled_part_killed_is_restarted_after_five_seconds_once_with_its_log_named(supervisors, capsys, tmp_path):
    clock = Clock()
    supervisor = supervisors(
        {"actions-1": SLEEPER, "rasa-1": SLEEPER}, clock, SCALED, logs_dir=tmp_path, own_groups=True
    )
    supervisor.start()
    actions, rasa = supervisor.parts.values()
    first, rasa_process = actions.process, rasa.process
    supervisor.kill("actions-1")  # SIGKILL to its process group, as a fault drill does

    supervisor.check()
    err = capsys.readouterr().err
    assert err.count("告警：actions-1 意外退出（退出码 -9），5 秒后重启") == 1
    assert f"日志 {tmp_path / 'actions-1.log'}" in err
    clock.now += 4.9
    supervisor.check()
    assert not actions.running
    clock.now += 0.1
    supervisor.check()
    supervisor.check()
    assert actions.running and actions.process.pid != first.pid
    assert capsys.readouterr().err.count("actions-1 已重新启动") == 1
    assert rasa.process is rasa_process and rasa.running


def test_a_part_with_a_log_file_writes_its_output_there_and_echoes_it_when_asked(supervisors, tmp_path, capfd):
    talker = [sys.executable, "-c", "print('hello from the part', flush=True)"]
    supervisor = supervisors({"web": talker}, logs_dir=tmp_path, echo=True, own_groups=True)
    supervisor.start()
    (part,) = supervisor.parts.values()
    wait_exit(part.process)
    part.pump.join(timeout=5)
    assert (tmp_path / "web.log").read_text() == "hello from the part\n"
    assert "[web] hello from the part" in capfd.readouterr().out


def test_a_part_that_exits_before_it_is_ready_fails_the_start_and_stops_the_others(capsys, monkeypatch):
    monkeypatch.setattr(launcher, "PROBE_EVERY_S", 0.01)
    sleeper, crasher = Part("web", SLEEPER, probe=lambda: True), Part("rasa-1", CRASHER, probe=lambda: False)
    supervisor = Supervisor([sleeper, crasher], SCALED)
    assert supervisor.run(ready_within=30, when_ready="已就绪") == 1
    err = capsys.readouterr()
    assert "启动失败：rasa-1 已退出（退出码 3）" in err.err and "已就绪" not in err.out
    assert not sleeper.running
