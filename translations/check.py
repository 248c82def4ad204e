"""Checks the gettext catalogs; exits 1 naming file and line for each problem.

    python translations/check.py            the app's catalogs and the framework's
    python translations/check.py DIR ...    the catalogs under DIR (DIR/<lang>/LC_MESSAGES/messages.po,
                                            against DIR/messages.pot)

A problem: a message of the template missing from a catalog, untranslated or fuzzy; a
placeholder (%(name)s, %d, {name}) that differs from the English; a wrong number of
plural forms; a catalog entry the template no longer has; a template that is stale
against the code it was extracted from (run `make i18n-extract`).
"""
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import babel
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def _fab_parent() -> Path:
    import flask_appbuilder

    return Path(flask_appbuilder.__file__).resolve().parent.parent


# Catalog directory -> (directory to extract from, the package extracted), as the Makefile does.
SOURCES = {
    ROOT / "translations": lambda: (ROOT, "app"),
    ROOT / "translations" / "framework": lambda: (_fab_parent(), "flask_appbuilder"),
}
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0+]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]|\{\w*(?:[.:!][^{}]*)?\}")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


def read(path: Path, locale=None):
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def key(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def check_catalog(template, path: Path, locale: str) -> list[str]:
    catalog = read(path, locale)
    problems = []
    expected = get_plural(locale).num_plurals
    if catalog.num_plurals != expected:
        problems.append(f"{path}:1: Plural-Forms has {catalog.num_plurals} forms, {locale} has {expected}")
    for message in catalog:
        if message.id and message.id not in template:
            problems.append(f"{path}:{message.lineno}: not in the template any more "
                            f"(run make i18n-extract): {key(message)!r}")
    for wanted in template:
        if not wanted.id:
            continue
        message = catalog.get(wanted.id)
        if message is None:
            problems.append(f"{path}:1: missing (run make i18n-extract): {key(wanted)!r}")
            continue
        where = f"{path}:{message.lineno}"
        if message.fuzzy:
            problems.append(f"{where}: fuzzy: {key(message)!r}")
        plural = isinstance(message.id, tuple)
        strings = message.string if plural else (message.string,)
        if plural and len(strings) != expected:
            problems.append(f"{where}: {len(strings)} plural forms, {locale} has {expected}: {key(message)!r}")
        if not all(strings):
            problems.append(f"{where}: untranslated: {key(message)!r}")
            continue
        sources = message.id if plural else (message.id,)
        wanted_places = {tuple(placeholders(s)) for s in sources}
        for string in strings:
            if tuple(placeholders(string)) not in wanted_places:
                problems.append(f"{where}: placeholders {placeholders(string)} differ from the "
                                f"English {placeholders(sources[-1])}: {key(message)!r}")
    return problems


def check_sources(directory: Path, pot: Path) -> list[str]:
    """The committed template against a fresh extraction from the code."""
    if tuple(int(part) for part in babel.__version__.split(".")[:2]) < (2, 18):
        # Older versions ignore the keywords of babel.cfg, and with them every `_l` string.
        return [f"{directory / 'babel.cfg'}:1: its keywords need Babel 2.18 or later"]
    cwd, package = SOURCES[directory]()
    with tempfile.TemporaryDirectory() as tmp:
        fresh_path = Path(tmp) / "messages.pot"
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract",
                        "-F", str(directory / "babel.cfg"), "-o", str(fresh_path), package],
                       cwd=cwd, check=True)
        fresh = read(fresh_path)
    committed = read(pot)
    problems = []
    for message in fresh:
        if message.id and message.id not in committed:
            where = ", ".join(f"{file}:{line}" for file, line in message.locations) or str(pot)
            problems.append(f"{where}: not in {pot} (run make i18n-extract): {key(message)!r}")
    for message in committed:
        if message.id and message.id not in fresh:
            problems.append(f"{pot}:{message.lineno}: no longer in the code "
                            f"(run make i18n-extract): {key(message)!r}")
    return problems


def check_directory(directory: Path) -> list[str]:
    directory = directory.resolve()
    pot = directory / "messages.pot"
    if not pot.exists():
        return [f"{pot}:1: no template"]
    problems = check_sources(directory, pot) if directory in SOURCES else []
    template = read(pot)
    catalogs = sorted(directory.glob("*/LC_MESSAGES/messages.po"))
    if not catalogs:
        problems.append(f"{directory}:1: no catalogs")
    for path in catalogs:
        problems += check_catalog(template, path, path.parent.parent.name)
    return problems


def main(argv: list[str]) -> int:
    directories = [Path(a) for a in argv] or list(SOURCES)
    problems = [p for d in directories for p in check_directory(d)]
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} translation problem(s); see translations/README.md")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
