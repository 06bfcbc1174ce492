"""One axe-core check for every browser test: the WCAG 2.0 and 2.1 rules of levels A and AA (BITV 2.0).

axe-core comes with the axe-playwright-python package (no download at test time). The tests call
`violations(page)` and assert that it is empty, with `describe(found)` as the assertion's message,
so that a failure names the rule, the element and what axe measured.
"""

from __future__ import annotations

from typing import Any

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Page

# BITV 2.0 refers to EN 301 549, that is WCAG 2.1 level AA: the rules tagged for 2.0 and 2.1, A and AA.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
OPTIONS = {"runOnly": {"type": "tag", "values": list(WCAG_TAGS)}, "resultTypes": ["violations"]}


def violations(page: Page, include: str | None = None) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now, or inside the elements matching the selector `include`."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    result = page.evaluate(
        "([include, options]) => axe.run(include ? {include: [include]} : document, options)", [include, OPTIONS]
    )
    return result["violations"]


def describe(found: list[dict[str, Any]], nodes_per_rule: int = 5) -> str:
    """The violations as lines a person can read in a failed assertion: rule, impact, element, finding."""
    lines = [f"{len(found)} WCAG-Verstöße (axe-core):"]
    for violation in found:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} [{len(violation['nodes'])}×]")
        for node in violation["nodes"][:nodes_per_rule]:
            messages = {check["message"] for kind in ("any", "all", "none") for check in node.get(kind, [])}
            lines.append(f"    {' > '.join(map(str, node['target']))}")
            lines.append(f"      {node['html'][:240]}")
            lines.extend(f"      · {message}" for message in sorted(messages))
    return "\n".join(lines)
