"""axe-core (from the npm registry, installed with the web chat's dev dependencies) run inside a
Playwright page: the WCAG 2.0/2.1/2.2 A and AA rules and ``target-size``, as issue 19 asks."""

from tests.conftest import REPO

AXE_JS = REPO / "webchat" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]
RUN = """async (tags) => {
  const result = await axe.run(document, { runOnly: { type: "tag", values: tags },
                                           rules: { "target-size": { enabled: true } } });
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}"""


def violations(page) -> list:
    """Every axe violation on the page as it is now ("rule: selectors")."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        # Through the page's own CSP: the script is evaluated, not added as a tag.
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    return page.evaluate(RUN, TAGS)
