"""The Nu HTML Checker and axe-core, as the browser suite runs them (tests/e2e/test_validity.py).

Both are pinned in tests/tools/package-lock.json and installed by `make test` (bin/ensure-checkers).
vnu.jar checks the HTML the server sent, every page in one run of Java (its start takes seconds);
axe-core checks each page as Chromium rendered it, with the site's Content-Security-Policy in force.
"""

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

TOOLS = Path(__file__).resolve().parent.parent / "tools"
VNU_JAR = TOOLS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = TOOLS / "node_modules" / "axe-core" / "axe.min.js"


def missing_checkers() -> str | None:
    """Why the checkers cannot run here, or None when they can."""
    if not shutil.which("java"):
        return "needs Java for the Nu HTML Checker: apt-get install default-jre-headless"
    for path in (VNU_JAR, AXE_JS):
        if not path.exists():
            return f"needs {path.relative_to(TOOLS.parent.parent)}: run `make checkers` (npm ci)"
    return None


# An error vnu must find, or it checked nothing: a run that passes proves it read the files.
CANARY = b"<!doctype html><title>canary</title><p><div></p>"


def vnu_errors(documents: dict[str, bytes], workdir: Path) -> dict[str, list[str]]:
    """The Nu HTML Checker's errors for each document ({name: HTML}), in one run of vnu.jar."""
    files = {}
    for number, (name, html) in enumerate({**documents, "(canary)": CANARY}.items()):
        path = workdir / f"{number:03}-{re.sub(r'[^A-Za-z0-9]+', '-', name).strip('-')}.html"
        path.write_bytes(html)
        files[str(path.resolve())] = name
    command = ["java", "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *files]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    try:
        messages = json.loads(run.stderr)["messages"]  # vnu reports on stderr
    except (ValueError, KeyError) as exc:
        raise AssertionError(
            f"vnu.jar said nothing readable (exit {run.returncode}): {run.stderr}"
        ) from exc
    errors: dict[str, list[str]] = {name: [] for name in files.values()}
    for message in messages:
        name = files.get(unquote(urlparse(message.get("url", "")).path), "(vnu)")
        where = f"line {message['lastLine']}: " if "lastLine" in message else ""
        extract = f" [{message['extract'].strip()}]" if message.get("extract") else ""
        errors.setdefault(name, []).append(
            f"{message['type']}: {where}{message['message']}{extract}"
        )
    if not errors.pop("(canary)"):
        raise AssertionError(f"vnu.jar found no error in an invalid document: {run.stderr}")
    return errors


# Every axe-core rule runs, those it leaves off by default (experimental, WCAG 2.2's target size,
# the AAA ones) included, but for these:
AXE_RULES_LEFT_OUT = {
    # WCAG AAA's 7:1 contrast. The palette is held to AA's 4.5:1 (color-contrast, which runs);
    # 7:1 would mean another palette for every page, a design decision rather than a fix.
    "color-contrast-enhanced",
}
RUN_AXE = """left_out => axe.run(document, {
    resultTypes: ["violations"],
    runOnly: {type: "rule", values: axe.getRules().map(rule => rule.ruleId)
                                      .filter(id => !left_out.includes(id))},
})"""


@dataclass(frozen=True)
class Axe:
    source: str

    def violations(self, page) -> list[str]:
        """axe-core's violations on the page, of every impact, by every rule but those left out.

        The source is evaluated through the DevTools protocol (page.evaluate), which the page's
        Content-Security-Policy does not govern: the page is checked with its CSP in force, and
        nothing has to be let in through it (a <script> tag, as add_script_tag writes, would be
        refused by script-src 'self')."""
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(self.source)
        result = page.evaluate(RUN_AXE, sorted(AXE_RULES_LEFT_OUT))
        assert result["passes"], f"axe-core checked nothing on {page.url}"
        return [
            f"{rule['id']} ({rule['impact']}): {rule['help']} — "
            + "; ".join(" ".join(map(str, node["target"])) for node in rule["nodes"])
            for rule in result["violations"]
        ]


def axe() -> Axe:
    return Axe(AXE_JS.read_text())
