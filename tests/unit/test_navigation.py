"""Every page guards itself with the same roles the navigation shows it to, so a
page hidden from a role cannot be opened by URL either."""
import ast
from pathlib import Path

import pytest

from ui.navigation import PAGES, ROOT


def _guard_roles(path: Path) -> tuple[str, ...] | None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "require_roles":
            return tuple(arg.value for arg in node.args)
    return None


@pytest.mark.parametrize("spec", [p for p in PAGES if p.exists()], ids=lambda p: p.path)
def test_page_guard_matches_navigation(spec):
    roles = _guard_roles(ROOT / spec.path)
    assert roles is not None, f"{spec.path} does not call require_roles"
    assert set(roles) == set(spec.roles)


def test_every_page_file_is_registered():
    registered = {p.path for p in PAGES}
    files = {f"pages/{f.name}" for f in (ROOT / "pages").glob("*.py")}
    assert files <= registered
