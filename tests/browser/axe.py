"""axe-core (Deque's accessibility engine, from npm, copied into static/vendor by `make
setup`) run inside the browser tests, with the app's Content-Security-Policy on.

The script is added as `<script src="/static/vendor/axe.min.js">`: a same-origin script
the policy allows (Playwright's `add_script_tag(path=...)` would inline the file, which
the policy refuses, and `bypass_csp` would test a page the users never get).

Every page state a browser test reaches is checked: a serious or critical violation
fails the test; moderate and minor ones are counted and printed at the end of the run
(and written to test-results/browser/axe.txt) so what is left stays visible. A page
made clean of those too is held there with `assert_no_axe_violations`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

AXE_URL = "/static/vendor/axe.min.js"
FAILING_IMPACTS = {"serious", "critical"}
REPORT = Path(__file__).resolve().parents[2] / "test-results" / "browser" / "axe.txt"

# (state name, Counter of impacts) for every state checked in this run, in order.
STATES_CHECKED: list[tuple[str, Counter]] = []

RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " :: " + n.failureSummary),
    count: v.nodes.length,
  }));
}"""


def axe_violations(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(url=AXE_URL)
        page.wait_for_function("() => typeof window.axe === 'object'")
    return page.evaluate(RUN_AXE)


def _check(page, state_name: str, failing) -> Counter:
    violations = axe_violations(page)
    impacts = Counter()
    for violation in violations:
        impacts[violation["impact"]] += violation["count"]
    STATES_CHECKED.append((state_name, impacts))
    failed = [v for v in violations if failing(v["impact"])]
    assert not failed, f"axe on {state_name} ({page.url}):\n" + "\n".join(
        f"- {v['impact']} {v['id']}: {v['help']} ({v['count']})\n    " + "\n    ".join(v["nodes"])
        for v in failed
    )
    return impacts


def assert_no_serious_axe_violations(page, state_name: str) -> Counter:
    """Fail on any serious or critical violation on the page as it is now; record how
    many nodes of each lesser impact are left."""
    return _check(page, state_name, lambda impact: impact in FAILING_IMPACTS)


def assert_no_axe_violations(page, state_name: str) -> None:
    """Stricter, for a page made clean: fail on a violation of any impact, moderate and
    minor included."""
    _check(page, state_name, lambda impact: True)


def axe_report_lines() -> list[str]:
    lines = []
    for name, impacts in STATES_CHECKED:
        left = ", ".join(f"{impact} {count}" for impact, count in sorted(impacts.items()))
        lines.append(f"{name}: {left or 'no violations'}")
    return lines
