"""The running stack, shared by every end-to-end test of the session."""

import pytest
from playwright.sync_api import expect

from tests.e2e.chromium import launched
from tests.stack import running_stack

# Playwright's expect() waits 5 s by default; a live check or a search can take longer than
# that on two cores shared with a training run.
expect.set_options(timeout=20_000)


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    with running_stack(tmp_path_factory.mktemp("stack")) as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    """Headless Debian chromium, one per test module."""
    with launched() as running:
        yield running
