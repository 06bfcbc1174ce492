"""The layers hold: the core knows no Streamlit, the readers know no outputs, the pages are thin.

Each module's imports are read from its syntax tree (nothing is imported to check), with
relative imports resolved to the module they name. The last tests pin what ui.view's
workaround for Streamlit's legacy multipage mode relies on, so that an upgrade that renames
it fails here, loudly, instead of a deep link silently showing a page without its sidebar.
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
from pathlib import Path

import pytest
import streamlit as st
from streamlit.commands import navigation
from streamlit.runtime import pages_manager
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest

from tests.builders import ROOT

# Modules that turn a report into something to look at or hand on; a reader feeds the model, never these.
OUTPUT_MODULES = frozenset(
    f"mayen_dash.{name}"
    for name in ("charts", "editing", "exports", "opendata", "openapi", "pdf", "report", "svg", "template", "xlsx")
)
# What a page may import besides the standard library.
PAGE_IMPORTS = frozenset({"mayen_dash", "streamlit", "ui"})


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """Every module `path` imports, absolute; `from x import y` counts x and x.y (y may be a module)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_the_import_reader_resolves_relative_imports():
    reader = ROOT / "mayen_dash" / "readers" / "pdf.py"
    assert {"mayen_dash.model", "mayen_dash.readers.base", "mayen_dash.formatting"} <= imported(reader)
    assert "mayen_dash.pdf" not in imported(reader)
    assert "mayen_dash.model.FindingCode" in imported(ROOT / "mayen_dash" / "loader.py")


@pytest.mark.parametrize("path", modules("mayen_dash"), ids=module_name)
def test_the_core_imports_no_streamlit(path):
    assert not {m for m in imported(path) if m.split(".")[0] == "streamlit"}


@pytest.mark.parametrize("path", modules("mayen_dash/readers"), ids=module_name)
def test_readers_import_no_output_module(path):
    assert not imported(path) & OUTPUT_MODULES


@pytest.mark.parametrize("path", modules("pages"), ids=module_name)
def test_pages_import_only_ui_the_core_and_streamlit(path):
    roots = {m.split(".")[0] for m in imported(path)}
    assert roots - PAGE_IMPORTS - sys.stdlib_module_names == set()


def test_every_layer_is_checked():
    assert len(modules("mayen_dash")) > 40
    assert len(modules("mayen_dash/readers")) > 10
    sources = [ROOT / "app.py", *sorted((ROOT / "ui").glob("*.py"))]
    navigation = {name for source in sources for name in re.findall(r'"(pages/\w+\.py)"', source.read_text("utf-8"))}
    assert {str(path.relative_to(ROOT)) for path in modules("pages")} == navigation


# --- what ui.view.current_view's legacy-pages workaround relies on (Streamlit 1.67) ---------------------------


def test_streamlit_is_the_version_the_workaround_was_checked_against():
    assert st.__version__.startswith("1.67."), (
        f"Streamlit {st.__version__}: check ui.view.current_view and the app fixture of tests/test_app.py "
        "against streamlit#9446 (PagesManager.uses_pages_directory), then update this pin"
    )


def test_pages_manager_keeps_the_class_flag_the_workaround_clears():
    assert pages_manager.PagesManager is PagesManager
    assert "uses_pages_directory" in vars(PagesManager)
    assert PagesManager.__annotations__["uses_pages_directory"] == "bool | None"
    # The flag is set once, from the pages/ folder next to the main script, only while it is None.
    assert "if PagesManager.uses_pages_directory is None:" in inspect.getsource(PagesManager.__init__)


def test_pages_manager_is_built_as_the_app_test_fixture_wraps_it():
    parameters = list(inspect.signature(PagesManager.__init__).parameters.values())
    assert [p.name for p in parameters] == ["self", "main_script_path", "script_cache", "kwargs"]
    assert parameters[-1].kind is inspect.Parameter.VAR_KEYWORD


def test_the_flag_still_decides_the_legacy_mode_and_navigation_clears_it():
    assert "if PagesManager.uses_pages_directory:\n" in inspect.getsource(script_runner.ScriptRunner)
    assert callable(script_runner._mpa_v1)
    assert "PagesManager.uses_pages_directory = False" in inspect.getsource(navigation)
    # AppTest resets the flag before each run, which is why the fixture clears it again.
    assert "PagesManager.uses_pages_directory = None" in inspect.getsource(AppTest)


def test_rerun_takes_no_required_argument():
    parameters = inspect.signature(st.rerun).parameters.values()
    assert all(p.default is not inspect.Parameter.empty for p in parameters)
