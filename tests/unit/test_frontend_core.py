"""The front-ends' shared core (app/static/core/): the vocabulary module is the server's, every
module is imported (and every data file, such as the JSON dictionaries, fetched) by a relative
path that works on disk and under the URL the browser loads it from, and the resident app's
service worker keeps a copy of every module and dictionary the app runs with, and shows a
notification in the dictionaries' words."""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path

from app import vocab
from app.routes import app_pages, console, pages

STATIC = Path(__file__).resolve().parents[2] / "app" / "static"
IMPORT = re.compile(r"""(?:^import\s[^;]*?\sfrom\s|^import\s|^export\s[^;]*?\sfrom\s|\bimport\()\s*'([^']+)'""", re.MULTILINE)
CSS_IMPORT = re.compile(r"""^@import url\("([^"]+)"\);""", re.MULTILINE)
# a file a module fetches by its own URL: new URL('../i18n/fr.json', import.meta.url)
FETCHED = re.compile(r"""\bnew URL\(\s*'([^']+)',\s*import\.meta\.url\s*\)""")


def modules() -> list[Path]:
    return sorted(p for p in [*STATIC.rglob("*.js"), *STATIC.rglob("*.css")]
                  if "vendor" not in p.relative_to(STATIC).parts)


def imports(path: Path) -> list[str]:
    return (CSS_IMPORT if path.suffix == ".css" else IMPORT).findall(path.read_text())


def fetched(path: Path) -> list[str]:
    return FETCHED.findall(path.read_text()) if path.suffix == ".js" else []


def urls_of(path: Path) -> list[str]:
    """Where the server serves a file: /static/… for all, /app/… too for the resident app's."""
    rel = path.relative_to(STATIC).as_posix()
    return ["/static/" + rel] + (["/" + rel] if rel.startswith("app/") else [])


def served_file(url: str) -> Path | None:
    for prefix, folder in (("/static/", STATIC), ("/app/", STATIC / "app")):
        if url.startswith(prefix):
            return folder / url[len(prefix):]
    return None


def resolve_url(base: str, specifier: str) -> str:
    # as a browser does: ".." above the root stays at the root
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), specifier))


def test_the_vocabulary_module_is_the_servers() -> None:
    checked_in = (STATIC / "core" / "vocab-generated.js").read_text()
    assert checked_in == vocab.javascript(), "run: python -m app.vocab > app/static/core/vocab-generated.js"


def test_every_import_is_relative_and_finds_its_file_on_disk_and_by_url() -> None:
    assert (STATIC / "core" / "dom.js").exists()
    wrong = []
    for path in modules():
        for specifier in imports(path) + fetched(path):
            if not specifier.startswith("."):
                wrong.append(f"{path.relative_to(STATIC)}: {specifier} is not relative")
                continue
            on_disk = (path.parent / specifier).resolve()
            if not on_disk.is_file():
                wrong.append(f"{path.relative_to(STATIC)}: {specifier} is not a file")
            for base in urls_of(path):
                target = served_file(resolve_url(base, specifier))
                if target is None or target.resolve() != on_disk:
                    wrong.append(f"{base}: {specifier} leads to {resolve_url(base, specifier)}")
    assert wrong == []


def test_no_front_end_keeps_its_own_copy_of_the_core() -> None:
    shared = {p.name for p in (STATIC / "core").glob("*.js")}
    for app in ("app", "console"):
        for path in (STATIC / app).rglob("*.js"):
            if path.name in shared and path.parent.name == "core":
                # an app's own core/x.js may only configure the shared one
                assert f"/core/{path.name}'" in path.read_text(), f"{path.relative_to(STATIC)} does not use core/{path.name}"


def app_modules() -> set[str]:
    """The URLs of every module, stylesheet and data file the resident app may load, from
    /app/main.js and /app/app.css on."""
    return reachable("/app/main.js", "/app/app.css")


def reachable(*start: str) -> set[str]:
    """The URLs of every module, stylesheet and data file these may load."""
    seen: set[str] = set()
    todo = list(start)
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        path = served_file(url)
        assert path is not None and path.is_file(), url
        if path.suffix in (".js", ".css"):
            todo += [resolve_url(url, s) for s in imports(path) + fetched(path)]
    return seen


def test_the_service_worker_keeps_every_module_of_the_app() -> None:
    worker = (STATIC / "app" / "sw.js").read_text()
    shell = set(re.findall(r"^  '([^']+)',$", worker.split("const SHELL = [", 1)[1].split("];", 1)[0], re.MULTILINE))
    loaded = app_modules()
    assert {"/static/core/dom.js", "/static/core/base.css"} <= loaded
    assert {"/app/i18n/fr.json", "/app/i18n/en.json"} <= loaded  # fetched, not imported
    assert loaded - shell == set(), "add these to SHELL in app/static/app/sw.js"
    for url in shell:
        if url != "/app/" and not url.endswith(".webmanifest"):
            target = served_file(url)
            assert target is not None and target.is_file(), url


def test_the_service_workers_words_are_the_vocabularys() -> None:
    worker = (STATIC / "app" / "sw.js").read_text()

    def constant(name: str) -> list[str]:
        match = re.search(rf"^const {name} = (\[.*?\]);$", worker, re.MULTILINE)
        assert match, name
        return list(json.loads(match.group(1).replace("'", '"')))

    assert constant("STATUSES") == [s.value for s in vocab.Status]
    assert constant("MSG_TYPES") == [m.value for m in vocab.MsgType]
    assert constant("SEVERE") == [vocab.Severity.EXTREME.value, vocab.Severity.SEVERE.value]
    for severity in vocab.Severity:
        assert re.search(rf"\b{severity.value}: '", worker), severity


def test_a_notification_says_the_severity_as_the_app_does() -> None:
    worker = (STATIC / "app" / "sw.js").read_text()
    for lang in ("fr", "en"):
        dictionary = json.loads((STATIC / "app" / "i18n" / f"{lang}.json").read_text())
        words = re.search(rf"^  {lang}: \{{\n(.*?)\n  \}},$", worker, re.MULTILINE | re.DOTALL)
        assert words, lang
        for severity in vocab.Severity:
            said = re.search(rf"\b{severity.value}: '([^']*)'", words.group(1))
            assert said and said.group(1) == dictionary[f"severity.{severity.value}"], (lang, severity)


def test_every_page_preloads_the_dictionaries_its_module_fetches() -> None:
    """The page's language and the reference (French), the same files its i18n module fetches,
    so that they arrive with the modules rather than after them."""
    for shell in (console.SHELL, app_pages.HOME, app_pages.ALERT):
        fetched_json = {url for url in reachable(shell.script) if url.endswith(".json")}
        assert fetched_json == {f"{shell.dictionaries}fr.json", f"{shell.dictionaries}en.json"}, shell.script
        for language, wanted in (("fr", ["fr"]), ("en", ["en", "fr"])):
            page = pages.document(shell, language, {})
            preloaded = re.findall(r'<link rel="preload" href="([^"]+)" as="fetch" crossorigin>', page)
            assert preloaded == [f"{shell.dictionaries}{lang}.json" for lang in wanted], (shell.script, language)
            assert f'<html lang="{language}">' in page
