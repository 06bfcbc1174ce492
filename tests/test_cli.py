import json
import subprocess
import sys

import pytest

from mayen_dash.access import verify_password
from mayen_dash.cli import main
from tests.builders import BUNDLED, BUNDLED_BY_AREA, BUNDLED_BY_STATUS, csv_bytes, xlsx_bytes


def run(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_validate_bundled_ok(capsys):
    code, out, _ = run(capsys, "validate", BUNDLED)
    assert code == 0
    assert "101 Maßnahmen" in out


def test_validate_json_with_warnings(capsys, write):
    path = write("liste.csv", csv_bytes([["Maßnahme", "Status"], ["A", "vielleicht"], ["B", "offen"]]))
    code, out, _ = run(capsys, "validate", path, "--json")
    assert code == 0
    result = json.loads(out)
    assert result["ok"] is True
    assert result["errors"] == []
    [warning] = result["warnings"]
    assert warning == {
        "code": "unknown_status",
        "message": warning["message"],
        "sheet": "liste.csv",
        "row": 2,
        "column": "Status",
    }


def test_validate_refused_json(capsys, write):
    path = write("kaputt.xlsx", b"PK\x03\x04 nicht wirklich")
    code, out, _ = run(capsys, "validate", path, "--json")
    assert code == 1
    result = json.loads(out)
    assert result["ok"] is False
    assert result["errors"][0]["code"] == "damaged_file"
    assert set(result["errors"][0]) == {"code", "message", "sheet", "row", "column"}


def test_validate_refused_text(capsys, write):
    path = write("leer.csv", b"")
    code, out, _ = run(capsys, "validate", path)
    assert code == 1
    assert out.startswith("Abgelehnt: Die Datei ist leer.")


@pytest.mark.parametrize(
    "command", [["summary"], ["export", "--format", "csv", "-o", "-"], ["report", "-o", "bericht.html"]]
)
def test_a_refused_file_is_told_on_stderr_with_exit_1(capsys, write, command):
    path = write("leer.csv", b"")
    code, out, err = run(capsys, command[0], path, *command[1:])
    assert (code, out) == (1, "")
    assert err.startswith("Abgelehnt: Die Datei ist leer.")


def test_usage_errors_exit_2(capsys, tmp_path):
    with pytest.raises(SystemExit) as caught:
        main(["validate"])
    assert caught.value.code == 2
    assert "Fehler" in capsys.readouterr().err
    code, _, err = run(capsys, "validate", tmp_path / "fehlt.xlsx")
    assert code == 2
    assert "gibt es nicht" in err
    with pytest.raises(SystemExit) as caught:
        main(["summary", str(BUNDLED), "--as-of", "31.12.2023"])
    assert caught.value.code == 2


def test_summary_json(capsys):
    code, out, _ = run(capsys, "summary", BUNDLED, "--json")
    assert code == 0
    result = json.loads(out)
    assert result == {
        "report_date": "2022-08-31",
        "as_of": "2022-08-31",
        "measures": 101,
        "by_status": BUNDLED_BY_STATUS,
        "by_area": BUNDLED_BY_AREA,
        "overdue": 0,
    }


def test_summary_department_and_as_of(capsys):
    code, out, _ = run(capsys, "summary", BUNDLED, "--json", "--department", "Bereich 2.1", "--as-of", "2023-01-01")
    result = json.loads(out)
    assert (code, result["measures"], result["as_of"]) == (0, 9, "2023-01-01")
    assert result["overdue"] == 3  # Gewerbe-An-, Um- und Abmeldung were due 10/2022


def test_summary_text_is_german(capsys):
    code, out, _ = run(capsys, "summary", BUNDLED)
    assert code == 0
    assert "Maßnahmen: 101" in out
    assert "55,4 %" in out
    assert "Überfällig am 31.08.2022: 0" in out


def test_summary_without_stichtag_asks_for_one_and_guesses_nothing(capsys, write):
    path = write("liste.csv", csv_bytes([["Maßnahme", "Status"], ["A", "offen"]]))
    code, out, err = run(capsys, "summary", path, "--json")
    assert code == 2
    assert out == ""
    assert "nennt keinen Stichtag" in err
    assert "--stichtag JJJJ-MM-TT" in err


def test_summary_takes_the_stichtag_given(capsys, write):
    path = write("liste.csv", csv_bytes([["Maßnahme", "Status"], ["A", "offen"]]))
    code, out, _ = run(capsys, "summary", path, "--json", "--stichtag", "2024-09-30")
    assert code == 0
    result = json.loads(out)
    assert result["report_date"] == "2024-09-30"
    assert result["as_of"] == "2024-09-30"


def test_column_mapping_options(capsys, write):
    path = write(
        "export.xlsx", xlsx_bytes({"Export": [["Name", "Live", "Stelle"], ["A", "Ja", "ZB 1"], ["B", "Nein", "FB 1"]]})
    )
    code, _, _ = run(capsys, "validate", path)
    assert code == 1
    code, out, _ = run(
        capsys,
        "summary",
        path,
        "--json",
        "--column",
        "Maßnahme=Name",
        "--column",
        "Status=Live",
        "--column",
        "Verantwortlichkeit=Stelle",
        "--status-value",
        "Ja=erledigt",
        "--status-value",
        "Nein=offen",
        "--stichtag",
        "2024-09-30",
    )
    assert code == 0
    result = json.loads(out)
    assert result["by_status"]["erledigt"] == 1
    assert result["by_status"]["offen"] == 1


def test_bad_mapping_option_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["validate", str(BUNDLED), "--status-value", "Ja=fertigish"])
    assert caught.value.code == 2
    assert "WERT=STATUS" in capsys.readouterr().err


def test_template_command_writes_a_loadable_template(capsys, tmp_path):
    target = tmp_path / "vorlage.xlsx"
    code, out, _ = run(capsys, "template", "-o", target)
    assert code == 0
    assert target.exists()
    code, out, _ = run(capsys, "validate", target, "--json")
    assert code == 1
    assert json.loads(out)["errors"][0]["code"] == "no_data_rows"


def test_python_m_entry_point():
    result = subprocess.run(
        [sys.executable, "-m", "mayen_dash", "summary", str(BUNDLED), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert json.loads(result.stdout)["measures"] == 101


def test_hash_password_prints_a_verifiable_line(capsys, monkeypatch):
    answers = iter(["Ratssitzung-2025", "Ratssitzung-2025"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    code, out, _ = run(capsys, "hash-password")
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith("editor_password_hash"))
    assert verify_password("Ratssitzung-2025", line.split('"')[1])


def test_hash_password_refuses_short_or_mismatched(capsys, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt: "kurz")
    assert run(capsys, "hash-password")[0] == 2
    answers = iter(["ein-langes-kennwort", "ein-anderes-kennwort"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    assert run(capsys, "hash-password")[0] == 2
