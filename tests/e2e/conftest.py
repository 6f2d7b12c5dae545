"""The running stack, shared by every end-to-end test of the session."""

import os

import pytest

from tests.stack import MODEL, Stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    if not os.path.exists(MODEL):
        pytest.fail(f"模型不存在：{MODEL}（请先 make train）")
    running = Stack(tmp_path_factory.mktemp("stack"))
    try:
        running.wait_until_ready()
        yield running
    finally:
        if running.process.poll() is None:
            running.stop()
