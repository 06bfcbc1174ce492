"""The README's map of modules ("## Entwicklung") names every module, where it is, and no module that is gone."""

from __future__ import annotations

import re

from tests.builders import ROOT

MAPPED_FOLDERS = ("mayen_dash", "mayen_dash/readers", "ui", "web", "pages")


def module_map() -> dict[str, str]:
    """Path → line of each module the map names, its folder taken from the indented folder lines above it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Entwicklung") :]
    block = section[section.index("```\n") + 4 : section.index("\n```", section.index("```\n") + 4)]
    folders: list[tuple[int, str]] = []
    mapped = {}
    for line in block.splitlines():
        match = re.match(r"^( *)(\S+)\s", line + " ")
        if match is None:
            continue
        indent, name = len(match[1]), match[2]
        if not name.endswith(("/", ".py")):
            continue  # a continuation line
        folders = [(i, f) for i, f in folders if i < indent]
        if name.endswith("/"):
            folders.append((indent, name))
        else:
            mapped["".join(f for _, f in folders) + name] = line.strip()
    return mapped


def test_the_map_is_read_with_its_folders():
    mapped = module_map()
    assert "mayen_dash/readers/xlsx.py" in mapped
    assert "mayen_dash/xlsx.py" in mapped
    assert mapped["mayen_dash/readers/xlsx.py"] != mapped["mayen_dash/xlsx.py"]


def test_every_module_is_in_the_map_with_a_line_of_what_it_answers():
    modules = {
        path.relative_to(ROOT).as_posix() for folder in MAPPED_FOLDERS for path in (ROOT / folder).glob("*.py")
    }
    mapped = module_map()
    assert modules - set(mapped) == set(), "modules the README's map does not name"
    assert all(len(mapped[m].split(maxsplit=1)) == 2 for m in modules), "a module named without its line"


def test_the_map_names_no_module_that_is_gone():
    assert [path for path in module_map() if not (ROOT / path).is_file()] == []
