"""The German front end: pinned to one Streamlit, and every English text it replaces still in the bundle.

When an upgrade of Streamlit renames a text, its German replacement would silently stop working;
this test names the text instead. The browser tests check what reaches the screen.
"""

import re

import pytest
import streamlit

from web import frontend


def test_pinned_to_the_installed_streamlit():
    assert streamlit.__version__ == frontend.STREAMLIT_VERSION
    frontend.check_version()


def test_refuses_another_streamlit(monkeypatch):
    monkeypatch.setattr(streamlit, "__version__", "1.99.0")
    with pytest.raises(RuntimeError, match=r"1\.67\.0"):
        frontend.check_version()


@pytest.fixture(scope="module")
def bundle() -> str:
    return frontend.bundle_text()


@pytest.mark.parametrize("english", frontend.english_sources())
def test_english_text_still_in_streamlits_bundle(bundle, english):
    assert english in bundle


def test_index_is_german_with_script_and_style():
    page = frontend.index_html()
    assert '<html lang="de">' in page
    assert "<title>Mayen Digital-Dashboard</title>" in page
    assert "MutationObserver" in page
    assert "stCaptionContainer" in page
    assert 'lang="en"' not in page
    assert "Das Mayen Digital-Dashboard braucht JavaScript" in page
    assert "You need to enable JavaScript" not in page


def test_patterns_are_valid_javascript_regexes_with_german_targets():
    for source, target in frontend.PATTERNS:
        re.compile(source)
        assert "\\1" in target or "(" not in source
