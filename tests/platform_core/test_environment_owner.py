"""Issue 18: one settings object, read once from the environment (platform_core.settings).

The serving packages take their configuration from ``get_settings()``; none reads ``os.environ`` or
``os.getenv`` itself, or a value would escape the validation, the production refusal and the
tests' ``get_settings.cache_clear()``. (launcher/, deploy/ and bench/ build child processes'
environments and are not checked here.)
"""

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SERVING = ("actions", "bot", "console", "web", "status_store", "service_desk", "policy_kb")
READERS = {("os", "environ"), ("os", "getenv"), ("os", "environb"), ("os", "getenvb")}

# path -> why it may read the environment itself. Keep it short; each entry needs a reason.
ALLOWED = {
    # STAFF_PASSWORD is an operator's one-off answer to the make staff-user command (the scripted
    # form of its getpass prompt), not configuration of a running service: it must not sit in the
    # process-wide settings object for the life of the process, and it is read only when asked.
    "console/staff_user.py": "STAFF_PASSWORD is a command's input, not a setting",
}


def _readers(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in READERS:
                yield node.lineno, f"os.{node.attr}"
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            for alias in node.names:
                if ("os", alias.name) in READERS:
                    yield node.lineno, f"from os import {alias.name}"


def test_only_platform_core_reads_the_environment():
    found = [
        f"{path.relative_to(REPO)}:{line} {what}"
        for package in SERVING
        for path in sorted((REPO / package).rglob("*.py"))
        if str(path.relative_to(REPO)) not in ALLOWED
        for line, what in _readers(path)
    ]
    assert not found, "read the environment outside platform_core.settings:\n" + "\n".join(found)


def test_every_allowed_reader_still_reads_it():
    """An allow-list entry that no longer applies goes, so the list cannot grow stale."""
    stale = [path for path in ALLOWED if not list(_readers(REPO / path))]
    assert not stale
