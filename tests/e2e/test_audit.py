"""Accessibility and valid HTML on the pages people use every day, in Russian and Bulgarian.

axe-core (from the npm registry, tests/e2e/package.json) runs inside each page as the
browser shows it: no critical or serious violation. The W3C checker vnu (the vnu-jar
package, run with the machine's Java) reads each page's HTML as the server sent it: no
error. The pages are found, not listed: the login page, the dashboard and the passport,
and for every record screen in the menu its list, add, show and edit pages.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
VNU = HERE / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SERIOUS = {"critical", "serious"}


def _lists() -> list[str]:
    """Every declared record type's list (app/records), and its report screens; each list's
    first row gives its show and edit pages."""
    from app.records import record_types

    types = record_types().values()
    return [*(f"/{t.view.__name__.lower()}/list/" for t in types),
            *(f"{report.route_base}/" for t in types for report in t.reports)]


def _tools() -> None:
    missing = [str(p.relative_to(HERE)) for p in (AXE, VNU) if not p.exists()]
    if missing or shutil.which("java") is None:
        pytest.fail(f"the audits need {', '.join(missing) or 'java'}: `make e2e` installs them "
                    "(npm ci in tests/e2e)", pytrace=False)


def _pages_of(page) -> list[str]:
    """The director's pages: dashboard, passport, and every record screen's list, add,
    show and edit (the first row's), as the list links them."""
    paths = ["/", "/users/userinfo/"]
    for path in _lists():
        page.goto(path)
        paths.append(path)
        add = page.locator("a[href*='/add']").first
        if add.count():
            paths.append(add.get_attribute("href"))
        for kind in ("show", "edit"):
            link = page.locator(f"table a[href*='/{kind}/']").first
            if link.count():
                paths.append(link.get_attribute("href"))
    district = page.locator("a[href*='/passport/']").first
    page.goto("/")
    district = page.locator("a[href*='/passport/']").first
    if district.count():
        paths.append(district.get_attribute("href"))
    return list(dict.fromkeys(p.split("?")[0] for p in paths if p))


def _axe(page) -> list[str]:
    page.evaluate(AXE.read_text())  # evaluated by the browser itself: the page's CSP allows it
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [f"{v['impact']}: {v['id']} ({v['help']}) at {v['nodes']}"
            for v in result if v["impact"] in SERIOUS]


def _vnu(files: list[Path]) -> dict[str, list[str]]:
    done = subprocess.run(["java", "-jar", str(VNU), "--format", "json", "--stdout", "--exit-zero-always",
                           *map(str, files)], capture_output=True, text=True, timeout=300)
    found: dict[str, list[str]] = {}
    for message in json.loads(done.stdout)["messages"]:
        if message["type"] == "error":
            name = Path(message["url"].removeprefix("file:")).name
            found.setdefault(name, []).append(
                f"line {message.get('lastLine')}: {message['message']} [{message.get('extract', '').strip()[:80]}]")
    return found


@pytest.mark.parametrize("lang", ["ru", "bg"])
def test_main_pages_pass_axe_and_vnu(web, lang, tmp_path):
    _tools()
    page = web.page()
    problems: dict[str, list[str]] = {}
    sources: dict[Path, str] = {}

    def audit(path: str) -> None:
        response = page.goto(f"{path}{'&' if '?' in path else '?'}_l_={lang}")
        assert response.ok, f"{path}: {response.status}"
        page.wait_for_load_state("load")
        found = _axe(page)
        if found:
            problems[f"axe {path}"] = found
        file = tmp_path / f"page{len(sources):03d}.html"
        file.write_text(response.text(), encoding="utf-8")
        sources[file] = path

    audit("/login/")
    web.login(page, "zal.director")
    for path in _pages_of(page):
        audit(path)
    for name, errors in _vnu(list(sources)).items():
        problems[f"vnu {sources[tmp_path / name]}"] = errors
    report = "\n".join(f"{where}:\n  " + "\n  ".join(items) for where, items in problems.items())
    assert not problems, f"{len(problems)} pages with problems in {lang}:\n{report}"
