"""Every page, read in Chromium as a person sees it: no raw values (None, nan, ISO
offsets, trailing zeros, supplier codes, untranslated status codes) and, on the Chinese
screens, no English words left over. English at 1024×768 and Chinese at 768×1024, each
page once per language, by the first demo user whose roles open it. The same checks as
the AppTest scan (tests/app/rendered_text.py), but on the rendered page: markdown,
captions, widget labels and options as drawn, table headers and the cells in view."""
from __future__ import annotations

import pytest

from services import users
from tests.app.rendered_text import ENGLISH_WORD, RAW_CODES, RAW_PATTERNS
from tests.e2e.browser import login, open_page, set_language, wait_idle
from tests.e2e.conftest import screenshot
from ui.i18n import translate
from ui.navigation import pages_for

pytestmark = pytest.mark.e2e

# One demo user per role, the widest first: each page is read by the first who sees it.
ROLE_USERS = ["liuyang", "zhoujing", "wuli", "gm", "admin", "sunqc", "liwei", "wangfang"]
# The audit trail shows stored details as recorded; supplier master data keeps codes.
EXEMPT_PAGES = {"pages/audit.py"}
ALLOWED = {"pages/suppliers.py": ("supplier code",)}

# The main area's text as drawn, without icon ligatures (material icon names are text
# in the DOM), with each table's headers and visible cells, one string per line/cell.
_SCREEN_TEXT = r"""() => {
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  const copy = main.cloneNode(true);
  copy.querySelectorAll('[data-testid="stIconMaterial"], [data-testid="stExpanderIcon"],'
      + ' [translate="no"], input, textarea, [data-testid="stDataFrame"]')
      .forEach(e => e.remove());
  document.body.appendChild(copy);          // innerText needs a rendered node
  copy.style.position = 'absolute'; copy.style.left = '-10000px';
  const lines = copy.innerText.split('\n').map(s => ['text', s]);
  copy.remove();
  const table = (role, kind) => Array.from(main.querySelectorAll(
      `[data-testid="stDataFrame"] [role="${role}"]`)).map(c => [kind, c.textContent]);
  return lines.concat(table('columnheader', 'header'), table('gridcell', 'cell'))
      .map(([kind, s]) => [kind, s.trim()]).filter(([_, s]) => s);
}"""


def _problems(texts: list[list[str]], lang: str, allowed: tuple[str, ...]) -> list[str]:
    found = []
    for kind, text in texts:
        for name, pattern in RAW_PATTERNS.items():
            if name not in allowed and pattern.search(text):
                found.append(f"{name}: {text[:120]!r}")
        if text in RAW_CODES and kind != "header":      # "GRN" may title a column
            found.append(f"raw code: {text!r}")
        if lang == "zh" and ENGLISH_WORD.search(text):
            found.append(f"English in zh: {text[:120]!r}")
    return found


def _pages_by_reader(db) -> list[tuple[str, list]]:
    """(username, pages) with every page of the app exactly once."""
    seen: set[str] = set()
    plan = []
    for username in ROLE_USERS:
        roles = users.get_user(db, username).role_names
        mine = [p for p in pages_for(roles) if p.path not in seen and p.path not in EXEMPT_PAGES]
        seen |= {p.path for p in mine}
        if mine:
            plan.append((username, mine))
    return plan


@pytest.mark.parametrize("lang, size", [("en", "landscape"), ("zh", "portrait")])
def test_every_page_reads_right_in_the_browser(server, demo_db, browser, lang, size):
    from tests.e2e.browser import track
    from tests.e2e.conftest import TABLET_SIZES, TIMEOUT

    width, height = TABLET_SIZES[size]
    found: dict[str, list[str]] = {}
    read = 0
    for username, specs in _pages_by_reader(demo_db):
        context = browser.new_context(viewport={"width": width, "height": height},
                                      has_touch=True, locale="en-US")
        context.set_default_timeout(TIMEOUT * 1000)
        page = context.new_page()
        page.orientation = size
        track(page)
        try:
            login(page, server, username)
            if lang == "zh":
                set_language(page, "简体中文")
            for spec in specs:
                title = translate(spec.title_key, lang)
                open_page(page, title)
                wait_idle(page)
                read += 1
                problems = _problems(page.evaluate(_SCREEN_TEXT), lang,
                                     ALLOWED.get(spec.path, ()))
                if problems:
                    screenshot(page, f"screen-text-{lang}-{spec.path[6:-3]}")
                    found[f"{spec.path} ({username})"] = problems[:8]
        finally:
            context.close()
    assert read >= 25, read                     # every page of the app was read
    assert not found, found
