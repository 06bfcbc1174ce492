"""python -m mayen_dash: the library's functions on the command line.

Exit codes: 0 the file loads (findings allowed), 1 the file is refused
(or, for `report`, no PDF can be made), 2 the command line is wrong
(argparse's convention; also a missing input file or an unwritable output).
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from dataclasses import replace
from pathlib import Path

from .access import hash_password
from .diff import BY_SIMILARITY, compare, status_label, to_dict
from .exports import FORMAT_NAMES, FORMATS, export_measures
from .filters import Filters
from .formatting import format_count, format_date, format_percent
from .loader import load_report
from .metrics import DEFINITIONS, department_names, reference_date, shown_statuses, summary
from .model import ColumnMapping, LoadError, Report
from .pdf import PdfError, html_to_pdf
from .report import build_report_html
from .template import write_template
from .vocabulary import COLUMNS, STATUS_LABELS, match_column, status_code_for_label

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse with German messages for the errors people actually make."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"Fehler: {message}\n")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"„{text}“ ist kein Datum im Format JJJJ-MM-TT") from None


def _column_option(text: str) -> tuple[str, str]:
    name, sep, header = text.partition("=")
    key = match_column(name, fuzzy=False) or next((c.key for c in COLUMNS if c.key == name), None)
    if not sep or not header or key is None:
        raise argparse.ArgumentTypeError(
            f"„{text}“: erwartet SPALTE=KOPFZEILE, z. B. Status=Live; SPALTE ist eine von "
            + ", ".join(c.label for c in COLUMNS)
        )
    return key, header


def _status_option(text: str) -> tuple[str, str]:
    value, sep, status = text.partition("=")
    code = status_code_for_label(status)
    if not sep or code is None:
        raise argparse.ArgumentTypeError(
            f"„{text}“: erwartet WERT=STATUS, z. B. Ja=erledigt; STATUS ist einer von " + ", ".join(STATUS_LABELS)
        )
    return value, code


def _status_filter(text: str) -> str:
    code = status_code_for_label(text)
    if code is None:
        raise argparse.ArgumentTypeError(
            f"„{text}“ ist kein Status; erlaubt sind "
            + ", ".join(label if label == code else f"{label} ({code})" for code, label in STATUS_LABELS.items())
        )
    return code


def _scope_arguments(parser: argparse.ArgumentParser) -> None:
    """--as-of and --department, as summary, export and report take them."""
    parser.add_argument(
        "--as-of",
        type=_date,
        metavar="JJJJ-MM-TT",
        help="Stichtag für „überfällig“ (Standard: Stichtag des Berichts, sonst heute)",
    )
    parser.add_argument(
        "--department", metavar="EINHEIT", help="nur Maßnahmen, an denen diese Organisationseinheit beteiligt ist"
    )


def _filter_arguments(parser: argparse.ArgumentParser) -> None:
    _scope_arguments(parser)
    parser.add_argument(
        "--status",
        action="append",
        type=_status_filter,
        default=[],
        metavar="STATUS",
        help="nur Maßnahmen mit diesem Status (Code oder Bezeichnung, z. B. offen, in_bearbeitung, "
        "„in Bearbeitung“); mehrfach angeben für mehrere",
    )


def _mapping_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--column",
        action="append",
        type=_column_option,
        default=[],
        metavar="SPALTE=KOPF",
        help="Spalte der Datei zuordnen, z. B. --column Maßnahme=Name --column Status=Live",
    )
    parser.add_argument(
        "--status-value",
        action="append",
        type=_status_option,
        default=[],
        metavar="WERT=STATUS",
        help="Wert der Statusspalte zuordnen, z. B. --status-value Ja=erledigt",
    )
    parser.add_argument(
        "--stichtag",
        type=_date,
        metavar="JJJJ-MM-TT",
        help="Stichtag des Berichts, wenn die Datei keinen nennt (sonst gilt der der Datei)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m mayen_dash", description="Mayen Digital-Dashboard auf der Kommandozeile.")
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser, title="Befehle", metavar="BEFEHL"
    )

    validate = commands.add_parser("validate", help="Datei prüfen: lädt sie, und was fällt auf?")
    validate.add_argument("file", type=Path, metavar="DATEI")
    validate.add_argument("--json", action="store_true", help="Ergebnis als JSON ausgeben")
    _mapping_arguments(validate)

    summary_ = commands.add_parser("summary", help="Zusammenfassung: Status, Handlungsfelder, Überfälliges")
    summary_.add_argument("file", type=Path, metavar="DATEI")
    _scope_arguments(summary_)
    summary_.add_argument("--json", action="store_true", help="Ergebnis als JSON ausgeben")
    _mapping_arguments(summary_)

    diff = commands.add_parser("diff", help="Zwei Berichte vergleichen: was hat sich seit dem letzten geändert?")
    diff.add_argument("old", type=Path, metavar="ALT", help="der frühere Bericht")
    diff.add_argument("new", type=Path, metavar="NEU", help="der aktuelle Bericht")
    diff.add_argument("--json", action="store_true", help="Änderungen als JSON ausgeben")

    commands.add_parser(
        "hash-password",
        help="Bearbeiter-Kennwort abfragen und die Zeile für .streamlit/secrets.toml ausgeben",
    )

    template = commands.add_parser("template", help="Leere Vorlage (vorlage.xlsx) schreiben")
    template.add_argument("-o", "--output", type=Path, required=True, metavar="DATEI")

    export = commands.add_parser(
        "export", help="Maßnahmen exportieren: Excel, CSV für Excel, JSON (Open Data) oder Kalender (ICS)"
    )
    export.add_argument("file", type=Path, metavar="DATEI")
    export.add_argument(
        "--format",
        choices=FORMATS,
        help="Dateiformat: "
        + ", ".join(f"{f} ({name})" for f, name in FORMAT_NAMES.items())
        + "; ohne Angabe aus der Endung der Ausgabedatei",
    )
    export.add_argument(
        "-o", "--output", type=Path, required=True, metavar="AUSGABE", help="Ausgabedatei, „-“ für die Standardausgabe"
    )
    _filter_arguments(export)
    _mapping_arguments(export)

    report = commands.add_parser("report", help="Statusbericht als HTML-Datei (oder PDF) für den Stadtrat")
    report.add_argument("file", type=Path, metavar="DATEI")
    report.add_argument(
        "-o", "--output", type=Path, required=True, metavar="AUSGABE", help="bericht.html, oder bericht.pdf für ein PDF"
    )
    report.add_argument("--pdf", action="store_true", help="PDF erzeugen (auch ohne Endung .pdf; braucht Chromium)")
    report.add_argument(
        "--previous", type=Path, metavar="ALT", help="der frühere Bericht, für „Änderungen seit dem letzten Bericht“"
    )
    _filter_arguments(report)
    _mapping_arguments(report)
    return parser


class MissingDate(Exception):
    """The file names no Stichtag and none was given: nothing is guessed (exit code 2)."""


def _load(args: argparse.Namespace, *, dated: bool = True) -> Report:
    """The report of `args.file` with its Stichtag; a refusal (LoadError) is told by main() with exit code 1.

    A file without a Stichtag needs --stichtag (`dated`): the Stichtag is never taken to be today.
    """
    mapping = ColumnMapping(dict(args.column), dict(args.status_value))
    report = load_report(args.file, mapping=mapping)
    if report.report_date is None and args.stichtag is not None:
        return replace(report, report_date=args.stichtag, report_date_source="--stichtag")
    if report.report_date is None and dated:
        suggestions = ", ".join(f"{format_date(date)} ({where})" for date, where in report.date_suggestions)
        raise MissingDate(
            f"Die Datei „{args.file.name}“ nennt keinen Stichtag. Bitte mit --stichtag JJJJ-MM-TT angeben"
            + (f"; Vorschläge aus der Datei: {suggestions}." if suggestions else ".")
        )
    return report


def _validate(args: argparse.Namespace) -> int:
    try:
        report = _load(args, dated=False)
    except LoadError as error:
        if args.json:
            print(
                json.dumps(
                    {"ok": False, "errors": [error.finding.as_dict()], "warnings": []}, ensure_ascii=False, indent=2
                )
            )
        else:
            print(f"Abgelehnt: {error}")
        return EXIT_REFUSED
    if args.json:
        print(
            json.dumps(
                {"ok": True, "errors": [], "warnings": [f.as_dict() for f in report.warnings]},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(f"In Ordnung: {format_count(len(report.measures))} Maßnahmen gelesen aus {args.file.name}.")
        print(
            f"Stichtag: {format_date(report.report_date)} ({report.report_date_source})"
            if report.report_date
            else "Stichtag: keiner in der Datei; für summary, export und report bitte --stichtag angeben."
        )
        if report.warnings:
            print(f"{format_count(len(report.warnings))} Hinweise:")
            for finding in report.warnings:
                print(f"  - {finding}")
    return EXIT_OK


def _summary(args: argparse.Namespace) -> int:
    report = _load(args)
    if args.department and not department_names(report, args.department):
        print(
            f"Hinweis: Die Organisationseinheit „{args.department}“ kommt in der Datei nicht vor. "
            f"Vorhanden: {', '.join(report.units)}",
            file=sys.stderr,
        )
    result = summary(report, args.as_of, args.department)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return EXIT_OK
    as_of = dt.date.fromisoformat(result["as_of"])
    total = result["measures"]
    title = report.info.get("title") or report.source_name
    print(f"{title}")
    print(
        f"Stand des Berichts: {format_date(report.report_date) or 'unbekannt'}"
        + (f", Organisationseinheit: {args.department}" if args.department else "")
    )
    print(f"Maßnahmen: {format_count(total)}")
    for code in shown_statuses(result["by_status"]):
        count = result["by_status"][code]
        share = format_percent(count / total) if total else "–"
        print(f"  {STATUS_LABELS[code]:<16} {format_count(count):>7}  ({share})")
    print("Nach Handlungsfeld:")
    for area, count in result["by_area"].items():
        print(f"  {area}: {format_count(count)}")
    print(f"Überfällig am {format_date(as_of)}: {format_count(result['overdue'])}")
    print(f"  ({DEFINITIONS['overdue'].split('. ')[0].format(as_of=format_date(as_of))}.)")
    return EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    files = ((args.old, "frühere"), (args.new, "aktuelle"))
    for path, which in files:
        if not path.is_file():
            print(f"Fehler: Die Datei „{path}“ für den {which}n Bericht gibt es nicht.", file=sys.stderr)
            return EXIT_USAGE
    reports = []
    for path, which in files:
        try:
            reports.append(load_report(path))
        except LoadError as error:
            print(f"Abgelehnt: Der {which} Bericht „{path.name}“ lässt sich nicht lesen. {error}", file=sys.stderr)
            return EXIT_REFUSED
    old, new = reports
    comparison = compare(old.measures, new.measures)
    if args.json:
        print(json.dumps(to_dict(comparison), ensure_ascii=False, indent=2))
        return EXIT_OK

    def named(report: Report, path: Path) -> str:
        return path.name + (f" (Stand {format_date(report.report_date)})" if report.report_date else "")

    print(f"Vergleich: {named(old, args.old)} → {named(new, args.new)}")
    fuzzy = comparison.fuzzy_matches
    print(
        f"Maßnahmen: {format_count(len(old.measures))} vorher, {format_count(len(new.measures))} jetzt; "
        f"{format_count(len(comparison.matches))} einander zugeordnet"
        + (f", davon {format_count(len(fuzzy))} nur über ähnliche Titel" if len(fuzzy) else "")
    )
    sections = [
        (
            "Status geändert",
            [f"{c.measure}: {status_label(c.old)} → {status_label(c.new)}" for c in comparison.status_changed],
        ),
        (
            "Zieldatum geändert",
            [f"{c.measure}: {c.old or 'ohne Angabe'} → {c.new or 'ohne Angabe'}" for c in comparison.target_changed],
        ),
        ("Neu aufgenommen", list(comparison.added["title"])),
        ("Entfallen", list(comparison.removed["title"])),
        (
            f"Zuordnung „{BY_SIMILARITY}“, bitte prüfen",
            [f"„{row.old_title}“ → „{row.new_title}“" for row in fuzzy.itertuples()],
        ),
    ]
    if comparison.fuzzy_skipped:
        print("Hinweis: Zu viele Maßnahmen ohne Gegenstück; ähnliche Titel wurden nicht gesucht.")
    if not comparison.has_changes:
        print("Keine Änderungen an den Maßnahmen.")
    for heading, items in sections:
        if items:
            print(f"{heading}: {format_count(len(items))}")
            for item in items:
                print(f"  - {item}")
    return EXIT_OK


def _filters(args: argparse.Namespace, report: Report) -> Filters:
    """The --department and --status options as dashboard filters, with a hint for an unknown unit."""
    units: tuple[str, ...] = ()
    if args.department:
        names = department_names(report, args.department)
        if not names:
            print(
                f"Hinweis: Die Organisationseinheit „{args.department}“ kommt in der Datei nicht vor. "
                f"Vorhanden: {', '.join(report.units)}",
                file=sys.stderr,
            )
        units = tuple(names or [args.department])
    return Filters(units=units, statuses=tuple(dict.fromkeys(args.status)))


def _write(output: Path, data: bytes) -> str | None:
    """Write the result; a German error text when that fails."""
    try:
        if str(output) == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            output.write_bytes(data)
    except OSError as error:
        reason = {
            FileNotFoundError: "den Ordner gibt es nicht",
            PermissionError: "keine Schreibrechte",
            IsADirectoryError: "das ist ein Ordner",
        }.get(type(error), "Fehler des Betriebssystems")
        return f"Fehler: Die Datei „{output}“ kann nicht geschrieben werden: {reason}."
    return None


def _export(args: argparse.Namespace) -> int:
    fmt = args.format or args.output.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        print(
            f"Fehler: Das Format ist unklar. Bitte --format {'|'.join(FORMATS)} angeben "
            "oder eine Ausgabedatei mit passender Endung wählen.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    report = _load(args)
    filters = _filters(args, report)
    measures = filters.apply(report)
    as_of = reference_date(report, args.as_of)
    problem = _write(args.output, export_measures(measures, fmt, as_of, report=report))
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_USAGE
    described = filters.describe()
    message = f"{format_count(len(measures))} Maßnahmen als {FORMAT_NAMES[fmt]} geschrieben: {args.output}" + (
        f" ({described})" if described else ""
    )
    if fmt == "ics":
        message += f"; {format_count(int(measures['due'].notna().sum()))} davon mit Zieldatum im Kalender"
    print(message, file=sys.stderr if str(args.output) == "-" else sys.stdout)
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    if args.previous is not None and not args.previous.is_file():
        print(f"Fehler: Die Datei „{args.previous}“ für den früheren Bericht gibt es nicht.", file=sys.stderr)
        return EXIT_USAGE
    report = _load(args)
    previous = previous_date = None
    if args.previous is not None:
        try:
            earlier = load_report(args.previous)
        except LoadError as error:
            print(
                f"Abgelehnt: Der frühere Bericht „{args.previous.name}“ lässt sich nicht lesen. {error}",
                file=sys.stderr,
            )
            return EXIT_REFUSED
        filters_then = Filters(
            units=tuple(department_names(earlier, args.department) or [args.department]) if args.department else (),
            statuses=tuple(dict.fromkeys(args.status)),
        )
        previous = filters_then.apply(earlier)
        previous_date = earlier.report_date
    filters = _filters(args, report)
    measures = filters.apply(report)
    as_of = reference_date(report, args.as_of)
    html = build_report_html(
        report,
        measures,
        as_of,
        filter_text=filters.describe(),
        previous=previous,
        previous_date=previous_date,
    )
    as_pdf = args.pdf or args.output.suffix.lower() == ".pdf"
    if as_pdf:
        try:
            data = html_to_pdf(html)
        except PdfError as error:
            print(f"Fehler: {error}", file=sys.stderr)
            return EXIT_REFUSED
    else:
        data = html.encode("utf-8")
    problem = _write(args.output, data)
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_USAGE
    kind = "PDF" if as_pdf else "HTML"
    print(
        f"Statusbericht ({kind}) mit {format_count(len(measures))} Maßnahmen geschrieben: {args.output}",
        file=sys.stderr if str(args.output) == "-" else sys.stdout,
    )
    return EXIT_OK


def _hash_password(args: argparse.Namespace) -> int:
    password = getpass.getpass("Kennwort für Bearbeiter: ")
    if len(password) < 12:
        print("Fehler: Das Kennwort muss mindestens 12 Zeichen lang sein.", file=sys.stderr)
        return EXIT_USAGE
    if getpass.getpass("Kennwort wiederholen: ") != password:
        print("Fehler: Die beiden Eingaben stimmen nicht überein.", file=sys.stderr)
        return EXIT_USAGE
    print("In .streamlit/secrets.toml eintragen:\n")
    print("[mayen]")
    print(f'editor_password_hash = "{hash_password(password)}"')
    return EXIT_OK


def _template(args: argparse.Namespace) -> int:
    write_template(args.output)
    print(f"Vorlage geschrieben: {args.output}")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if hasattr(args, "file") and not args.file.is_file():
        print(f"Fehler: Die Datei „{args.file}“ gibt es nicht.", file=sys.stderr)
        return EXIT_USAGE
    handlers = {
        "validate": _validate,
        "summary": _summary,
        "diff": _diff,
        "template": _template,
        "hash-password": _hash_password,
        "export": _export,
        "report": _report,
    }
    try:
        return handlers[args.command](args)
    except LoadError as error:  # the file of `args.file`; the other files name themselves in their message
        print(f"Abgelehnt: {error}", file=sys.stderr)
        return EXIT_REFUSED
    except MissingDate as error:
        print(f"Fehler: {error}", file=sys.stderr)
        return EXIT_USAGE
