"""The action server of the running assistant (make run) as an outsider meets it: not reachable from
another host, and refusing calls without the secret Rasa holds; Rasa's own calls still work."""

import ipaddress
import json
import socket
import subprocess

import pytest
import requests

from tests.actions.test_server import GREETING_CALL


def host_addresses():
    """This host's non-loopback addresses (``hostname -I``, else the outgoing interface's)."""
    found = set()
    try:
        found.update(subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=10).stdout.split())
    except OSError:
        pass
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: only picks the outgoing interface
            found.add(probe.getsockname()[0])
        except OSError:
            pass
    return sorted(a for a in found if not ipaddress.ip_address(a.split("%")[0]).is_loopback)


def connects(address, port):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        try:
            sock.connect((address, port))
            return True
        except OSError:
            return False


def test_the_action_server_is_not_reachable_on_the_hosts_other_addresses(stack):
    addresses = host_addresses()
    if not addresses:
        pytest.skip("this host has no non-loopback address")
    assert connects("127.0.0.1", stack.action_port)
    for address in addresses:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as control:  # the address is reachable at all
            control.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", 0))
            control.listen()
            assert connects(address, control.getsockname()[1]), address
        assert not connects(address, stack.action_port), f"动作服务器可从 {address} 访问"


def call(stack, headers):
    return requests.post(
        f"http://127.0.0.1:{stack.action_port}/webhook",
        data=json.dumps(GREETING_CALL),
        headers={"Content-Type": "application/json", **headers},
        timeout=30,
    )


@pytest.mark.parametrize("headers", [{}, {"X-Action-Token": "guess"}, {"Authorization": "Bearer x"}])
def test_a_call_without_the_secret_is_refused(stack, headers):
    refused = call(stack, headers)
    assert refused.status_code == 401 and "您好" not in refused.text


def test_rasa_holds_the_secret_and_residents_are_answered(stack):
    assert call(stack, {"X-Action-Token": stack.action_token}).status_code == 200
    assert "您好" in stack.ask("你好", sender="e2e-action-secret")[0]
