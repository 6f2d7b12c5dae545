"""No import cycle anywhere in the project's packages (issue 18): not only between packages, which
the layers contracts in pyproject.toml forbid, but between any two modules, inside a package too
(7018e86 had policy_kb.loader → validation → answers → loader)."""

import sys

import grimp

from tests.conftest import REPO

PACKAGES = (
    "platform_core", "policy_kb", "status_store", "service_desk", "actions", "bot",
    "console", "web", "launcher", "deploy", "bench", "migrations",
)  # fmt: skip


def cycles(graph) -> list:
    """Strongly connected groups of more than one module (Tarjan), each a cycle."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(module):
        index[module] = low[module] = counter[0]
        counter[0] += 1
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_back():
    sys.path.insert(0, str(REPO))
    graph = grimp.build_graph(*PACKAGES)
    assert cycles(graph) == []
