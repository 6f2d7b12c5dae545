"""Issue 17, finding 6, against the running assistant (make run): no process shows a secret to
``ps``, and the staff console's token still opens Rasa's HTTP API.

(Named to run before test_rest.py, whose last test stops the shared stack.)"""

from pathlib import Path


def command_lines(parent):
    """The command lines of ``parent``'s living children, as ``ps`` shows them to anyone (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, NotADirectoryError):
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]  # the name may hold spaces and parentheses
        if int(ppid) == parent and state != "Z":
            found.append(cmdline)
    return found


def test_no_secret_is_on_any_command_line_and_the_api_token_still_works(stack):
    secrets = [stack.api_token, getattr(stack, "action_token", stack.api_token)]
    lines = command_lines(stack.process.pid)
    assert len(lines) == 3  # action server, Rasa, web page
    assert [line for line in lines if any(secret in line for secret in secrets)] == []
    assert stack.tracker("e2e-secrets")["sender_id"] == "e2e-secrets"  # the API accepts the token
