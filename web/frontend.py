"""Everything that reaches into Streamlit's front end, in one place, pinned to one Streamlit version.

Streamlit 1.67 has no locale: its page says `<html lang="en">` and its widgets speak English
("Drag and drop file here", "Download as CSV", "Choose date"). The dashboard serves its own
copy of Streamlit's index.html instead, with

- `lang="de"`, so that screen readers speak German and `hyphens: auto` breaks German words;
- a small script that puts German text in place of Streamlit's English wherever it appears
  (text, aria-label, title, placeholder, alt), by exact text or by pattern, as soon as the
  element is drawn (a MutationObserver: before the browser paints, so nothing flickers);
- the dashboard's CSS: contrast, focus, phone and projector layouts.

Each English text below was read from the installed Streamlit's front end bundle;
tests/test_frontend.py fails when an upgrade drops one of them from the bundle, and the
browser tests fail when English reaches the screen. Upgrading Streamlit therefore means:
change STREAMLIT_VERSION, run the tests, mend the tables below.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from functools import cache
from pathlib import Path

import streamlit
from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

STREAMLIT_VERSION = "1.67.0"
STATIC_DIR = Path(streamlit.__file__).parent / "static"
PAGE_TITLE = "Mayen Digital-Dashboard"
LANGUAGE = "de"

# Attributes a screen reader or a tooltip reads out.
# data-title is the tooltip of plotly's and Streamlit's chart toolbar buttons, aria-valuetext what a
# screen reader says for a date field's segment.
ATTRIBUTES = (
    "aria-label",
    "title",
    "placeholder",
    "alt",
    "aria-roledescription",
    "aria-description",
    "aria-valuetext",
    "data-title",
)

# English text of Streamlit's front end → German, matched against the whole (trimmed) text.
TEXTS: dict[str, str] = {
    # page frame, sidebar, menu
    "Skip to main content": "Zum Hauptinhalt springen",
    "Sidebar": "Seitenleiste",
    "App pages": "Seiten des Dashboards",
    "Help": "Hilfe",
    "Collapse sidebar": "Seitenleiste einklappen",
    "Expand sidebar": "Seitenleiste ausklappen",
    "Main menu": "Hauptmenü",
    "Running...": "Wird ausgeführt …",
    "Loading": "Wird geladen",
    "Stop": "Anhalten",
    "Rerun": "Neu ausführen",
    "Print": "Drucken",
    "Settings": "Einstellungen",
    "View less": "Weniger anzeigen",
    "Link to heading": "Link zu dieser Überschrift",
    "Copy to clipboard": "In die Zwischenablage kopieren",
    "Close": "Schließen",
    # connection loss
    "Connection error": "Verbindung unterbrochen",
    "Connecting": "Verbindung wird hergestellt",
    "Please wait...": "Bitte warten …",
    # Streamlit says the first on a server called localhost (with a command to start it), the second elsewhere.
    "Is Streamlit still running? If you accidentally stopped Streamlit, just restart it in your terminal:": (
        "Der Server des Dashboards antwortet nicht. Die Seite verbindet sich von selbst wieder, sobald er "
        "erreichbar ist."
    ),
    "streamlit run yourscript.py": "Bleibt die Verbindung aus, bitte die Betreuung des Dashboards verständigen.",
    "Streamlit server is not responding. Are you connected to the internet?": (
        "Der Server des Dashboards antwortet nicht. Die Seite verbindet sich von selbst wieder, sobald er "
        "erreichbar ist; bitte auch die Netzverbindung prüfen."
    ),
    # select boxes, multiselects
    "Choose an option": "Bitte wählen",
    "Choose options": "Bitte wählen",
    "No results": "Keine Treffer",
    "No options to select": "Keine Auswahl möglich",
    "Clear all": "Alle entfernen",
    "Clear value": "Auswahl entfernen",
    "Select all": "Alle auswählen",
    "Open": "Auswahl öffnen",
    "Dismiss": "Schließen",
    "Show suggestions": "Vorschläge zeigen",
    "Suggestions": "Vorschläge",
    # date input
    "Choose date": "Datum wählen",
    "Previous month": "Voriger Monat",
    "Next month": "Nächster Monat",
    "Calendar.": "Kalender",
    "Calendar": "Kalender",
    "Use arrow keys to navigate dates. Enter to select. Escape to close.": (
        "Mit den Pfeiltasten ein Datum suchen, mit der Eingabetaste wählen, mit der Esc-Taste schließen."
    ),
    # the date field's segments: Streamlit fixes the field's locale to en-US (placeholders and read-out)
    "dd": "TT",
    "mm": "MM",
    "yyyy": "JJJJ",
    "Empty": "leer",
    # text input, forms
    "Show password": "Kennwort zeigen",
    "Hide password": "Kennwort verbergen",
    # file uploader
    "Drag and drop files here": "Dateien hierher ziehen",
    "Upload": "Datei auswählen",
    "file upload": "Datei auswählen",
    "Add files": "Weitere Dateien auswählen",
    "Delete": "Entfernen",
    "Uploading...": "Wird hochgeladen …",
    "Previous page": "Vorige Seite",
    "Next page": "Nächste Seite",
    # tables: toolbar, search, column menu
    "Download as CSV": "Als CSV herunterladen",
    "Search": "Suchen",
    "Type to search": "Suchbegriff eingeben",
    "Previous Result": "Voriger Treffer",
    "Next Result": "Nächster Treffer",
    "Close Search": "Suche schließen",
    "Fullscreen": "Vollbild",
    "Close fullscreen": "Vollbild beenden",
    "Exit fullscreen": "Vollbild beenden",
    "Show/hide columns": "Spalten ein-/ausblenden",
    "Add row": "Zeile hinzufügen",
    "Delete row": "Zeile löschen",
    "Sort ascending": "Aufsteigend sortieren",
    "Sort descending": "Absteigend sortieren",
    "Pin column": "Spalte fixieren",
    "Unpin column": "Fixierung lösen",
    "Hide column": "Spalte ausblenden",
    "Format": "Format",
    "Autosize": "Breite anpassen",
    "Automatic": "Automatisch",
    "Dataframe column menu": "Spaltenmenü",
    "Copy column name": "Spaltennamen kopieren",
    "Clear selection": "Auswahl aufheben",
    "Edit": "Bearbeiten",
    "Delete row(s)": "Zeile(n) löschen",
    "Statistics": "Statistik",
    "Average": "Mittelwert",
    "Average length": "Mittlere Länge",
    "Distinct": "Verschiedene",
    "Maximum length": "Größte Länge",
    "Minimum length": "Kleinste Länge",
    "Range": "Spannweite",
    "Standard deviation": "Standardabweichung",
    "Sum": "Summe",
    "Values": "Werte",
    "Localized": "Landesüblich",
    "Plain": "Ohne Format",
    "Percent": "Prozent",
    "Accounting": "Buchhaltung",
    "Scientific": "Wissenschaftlich",
    "Compact": "Kompakt",
    "Distance": "Abstand",
    "Duration": "Dauer",
    "Copy": "Kopieren",
    "Paste": "Einfügen",
    "True": "ja",
    "False": "nein",
    # toolbar of an element
    "Show data": "Daten zeigen",
}

# Texts composed at run time: (regular expression over the whole trimmed text, German replacement).
# The script applies them again to its own result (up to three times), so that a date first put in
# German order then gets its German month name.
PATTERNS: tuple[tuple[str, str], ...] = (
    (r"^Help for (.+)$", r"Hilfe zu \1"),
    (r"^(\d+)(B|KB|MB|GB) per file$", r"höchstens \1 \2 je Datei"),
    (r"^(\d+)\.(\d+) ?(B|KB|MB|GB)$", r"\1,\2 \3"),
    (r"^(\d+)(B|KB|MB|GB)$", r"\1 \2"),
    (r"^(.+) files are not allowed\.$", r"Dateien vom Typ \1 werden nicht angenommen."),
    (r"^File must be (.+) or smaller\.$", r"Die Datei darf höchstens \1 groß sein."),
    (r"^Remove (.+)$", r"\1 entfernen"),
    (r"^Delete (.+)$", r"\1 entfernen"),
    (r"^Show (\d+) more$", r"\1 weitere zeigen"),
    (r"^(\d+) rows?$", r"\1 Zeilen"),
    (r"^(\d+) results?$", r"\1 Treffer"),
    # the column menu's statistics: the small chart's name and its values
    (r"^Top values frequency chart(: .+)?$", r"Häufigste Werte\1"),
    (r"^Distribution histogram(: .+)?$", r"Verteilung\1"),
    (r"^True/false distribution chart(: .+)?$", r"Verteilung ja/nein\1"),
    (r"^(\d+) of (\d+)$", r"\1 von \2"),
    (r"^day, (.+)$", r"Tag, \1"),
    (r"^month, (.+)$", r"Monat, \1"),
    (r"^year, (.+)$", r"Jahr, \1"),
    (r"^Selected Date: ([A-Z][a-z]+) (\d+), (\d+)$", r"Ausgewähltes Datum: \2. \1 \3"),
    (r"^Choose date, (.+)$", r"Datum wählen, \1"),
    (r"^(\d+) options? available\.$", r"\1 Einträge verfügbar."),
    (r"^(.+), selected$", r"\1, ausgewählt"),
    # the hidden name of a Material icon inside a button that has its own German name
    (r"^[a-z0-9_]+ icon$", "Symbol"),
    *(
        (rf"^(.*\b){english}(\b.*)$", rf"\1{german}\2")
        for english, german in {
            "January": "Januar",
            "February": "Februar",
            "March": "März",
            "May": "Mai",
            "June": "Juni",
            "July": "Juli",
            "October": "Oktober",
            "December": "Dezember",
        }.items()
    ),
)

# Plotly, inside Streamlit's PlotlyChart bundle, speaks English unless a chart's config brings a locale:
# the texts of the buttons and messages the dashboard keeps (the chart toolbar keeps only "Download als
# PNG", see ui/charts.py), and German dates and numbers for axes and hover labels.
PLOTLY_LOCALE: dict[str, object] = {
    "dictionary": {
        "Download plot as a PNG": "Als PNG herunterladen",
        "Download plot": "Als Bild herunterladen",
        "Preparing image - this may take a few seconds": "Das Bild wird erstellt …",
        "Double-click to zoom back out": "Doppelklick zeigt wieder das ganze Diagramm",
        "trace": "Datenreihe",
    },
    "format": {
        "days": ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"],
        "shortDays": ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
        "months": [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ],
        "shortMonths": ["Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"],
        "date": "%d.%m.%Y",
        "decimal": ",",
        "thousands": ".",
        "year": "%Y",
        "month": "%b %Y",
        "dayMonth": "%-d. %b",
        "dayMonthYear": "%-d. %b %Y",
    },
}

# Links that Streamlit opens in a new tab but that belong in this one: the editor's sign-in and sign-out.
SAME_TAB_PATHS = ("/anmelden", "/abmelden")

# Selectors of text that the script leaves alone: the dashboard's own content can contain any word.
_SKIP = ".stMarkdown, [data-testid='stMetricValue'], .main-svg"


def check_version() -> None:
    """Refuse to start on a Streamlit whose front end these tables were not written for."""
    if streamlit.__version__ != STREAMLIT_VERSION:
        raise RuntimeError(
            f"web/frontend.py is written for Streamlit {STREAMLIT_VERSION}, installed is {streamlit.__version__}: "
            "check the translations against the new front end (tests/test_frontend.py) and raise STREAMLIT_VERSION."
        )


def german_script() -> str:
    """The script that replaces Streamlit's English texts, with the tables above as data."""
    patterns = [[source, replacement.replace("\\", "$")] for source, replacement in PATTERNS]
    return _SCRIPT_TEMPLATE % {
        "texts": json.dumps(TEXTS, ensure_ascii=False),
        "patterns": json.dumps(patterns, ensure_ascii=False),
        "attributes": json.dumps(ATTRIBUTES),
        "skip": json.dumps(_SKIP),
        "same_tab": json.dumps(SAME_TAB_PATHS),
    }


_SCRIPT_TEMPLATE = """
(() => {
  const texts = new Map(Object.entries(%(texts)s));
  const patterns = %(patterns)s.map(([source, target]) => [new RegExp(source), target]);
  const attributes = %(attributes)s;
  const skip = %(skip)s;
  const once = (trimmed) => {
    const result = texts.get(trimmed);
    if (result !== undefined) return result;
    for (const [pattern, target] of patterns) {
      if (pattern.test(trimmed)) return trimmed.replace(pattern, target);
    }
    return trimmed;
  };
  const german = (text) => {
    const trimmed = text.trim();
    if (!trimmed || trimmed.length > 300) return null;
    let result = trimmed;
    for (let pass = 0; pass < 3; pass++) {
      const next = once(result);
      if (next === result) break;
      result = next;
    }
    return result === trimmed ? null : text.replace(trimmed, result);
  };
  const translateText = (node) => {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip)) return;
    const result = german(node.data);
    if (result !== null) node.data = result;
  };
  const sameTab = %(same_tab)s;
  const translateAttributes = (element) => {
    if (element.tagName === "A" && sameTab.some((path) => (element.getAttribute("href") || "").startsWith(path))) {
      element.removeAttribute("target");
    }
    for (const name of attributes) {
      const value = element.getAttribute(name);
      if (value === null) continue;
      const result = german(value);
      if (result !== null) element.setAttribute(name, result);
    }
  };
  const translateTree = (root) => {
    if (root.nodeType === Node.TEXT_NODE) { translateText(root); return; }
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    translateAttributes(root);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeType === Node.TEXT_NODE) translateText(node); else translateAttributes(node);
    }
  };
  // A chart is a figure named by its title, described by the summary sentence right below it; the
  // drawing itself (hundreds of SVG texts: ticks, bar labels) is hidden from screen readers.
  let chartsPending = false;
  const nameCharts = () => {
    chartsPending = false;
    document.querySelectorAll('[data-testid="stPlotlyChart"]').forEach((chart, index) => {
      const title = chart.querySelector(".gtitle");
      if (!title) return;
      const name = title.textContent.trim();
      if (chart.getAttribute("role") !== "figure") chart.setAttribute("role", "figure");
      if (name && chart.getAttribute("aria-label") !== name) chart.setAttribute("aria-label", name);
      for (const svg of chart.querySelectorAll("svg.main-svg")) svg.setAttribute("aria-hidden", "true");
      const next = chart.closest('[data-testid="stElementContainer"]')?.nextElementSibling;
      const summary = next?.querySelector('[data-testid="stCaptionContainer"], [data-testid="stMarkdownContainer"]');
      if (!summary) return;
      if (!summary.id) summary.id = `diagramm-zusammenfassung-${index + 1}`;
      if (chart.getAttribute("aria-describedby") !== summary.id) chart.setAttribute("aria-describedby", summary.id);
    });
  };
  // The table's search field (glide-data-grid's) has no name at all.
  const nameSearch = () => {
    for (const input of document.querySelectorAll('input[data-testid="search-input"]:not([aria-label])')) {
      input.setAttribute("aria-label", "Suchbegriff in der Tabelle");
    }
  };
  // The table's column menu (role=menu) holds a plain button ("Spaltennamen kopieren"): a menu may
  // only hold menu items (axe-core: aria-required-children), and a button may be one.
  const menuButtons = () => {
    for (const button of document.querySelectorAll('[role="menu"] button:not([role])')) {
      if (!button.parentElement.closest('[role="menuitem"]')) button.setAttribute("role", "menuitem");
    }
  };
  const mend = () => { nameCharts(); nameSearch(); menuButtons(); };
  const observer = new MutationObserver((mutations) => {
    if (!chartsPending) { chartsPending = true; requestAnimationFrame(mend); }
    for (const mutation of mutations) {
      if (mutation.type === "childList") mutation.addedNodes.forEach(translateTree);
      else if (mutation.type === "characterData") translateText(mutation.target);
      else translateAttributes(mutation.target);
    }
  });
  observer.observe(document.documentElement, {
    subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: attributes,
  });
  document.addEventListener("DOMContentLoaded", () => translateTree(document.body));
})();
"""

STYLESHEET = Path(__file__).with_name("frontend.css")

# Streamlit loads a widget's code only when the first script run has sent that widget, one round
# trip after the page itself: on a line with 40 ms latency the charts' 1 MB came last. Every page has
# the sidebar's widgets and most have charts and tables, so the German index names their code for
# the browser to fetch at once, beside Streamlit's own bundle (bench/bench_frontend.py).
PRELOADED_WIDGETS = ("Selectbox", "Multiselect", "TextInput", "DateInput", "Button", "PlotlyChart", "DataFrame")


def preloaded_modules() -> list[str]:
    """The files of PRELOADED_WIDGETS in Streamlit's static/js folder (the browser fetches what they import).

    Only the widgets themselves: with every file they import listed as well (64 more), Chromium's
    throttled line in bench/bench_frontend.py stalled in one visit of three.
    """
    folder = STATIC_DIR / "static" / "js"
    modules = []
    for widget in PRELOADED_WIDGETS:
        found = sorted(folder.glob(f"{widget}.*.js"))
        if len(found) != 1:
            raise RuntimeError(f"Streamlit's front end has {len(found)} files for {widget}; see web/frontend.py")
        modules.append(found[0].name)
    return modules


# Streamlit's <noscript> speaks English to browsers without JavaScript (and to screen readers that read it).
NOSCRIPT = (
    "<noscript><p>Das Mayen Digital-Dashboard braucht JavaScript. Bitte JavaScript in diesem Browser "
    "erlauben und die Seite neu laden.</p></noscript>"
)


@cache
def index_html() -> str:
    """Streamlit's index.html in German, with the translating script and the dashboard's stylesheet inline."""
    check_version()
    page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    listed = set(re.findall(r'href="\./static/js/([^"]+)"', page))
    preloads = "".join(
        f'\n    <link rel="modulepreload" crossorigin href="./static/js/{name}">'
        for name in preloaded_modules()
        if name not in listed
    )
    replacements = {
        '<html lang="en">': f'<html lang="{LANGUAGE}">',
        "</head>": preloads + "\n  </head>",
        "<title>Streamlit</title>": f"<title>{html.escape(PAGE_TITLE)}</title>",
        "<head>": "<head>\n    <script>" + german_script() + "</script>\n"
        "    <style>" + STYLESHEET.read_text(encoding="utf-8") + "</style>",
    }
    for english, german in replacements.items():
        if english not in page:
            raise RuntimeError(f"Streamlit's index.html no longer contains {english!r}; see web/frontend.py")
        page = page.replace(english, german, 1)
    page, found = re.subn(r"<noscript>.*?</noscript>", NOSCRIPT, page, count=1, flags=re.DOTALL)
    if not found:
        raise RuntimeError("Streamlit's index.html no longer has a <noscript> block; see web/frontend.py")
    return page


def _etag() -> str:
    return '"' + hashlib.sha256(index_html().encode()).hexdigest()[:16] + '"'


async def german_index(request: Request) -> Response:
    """Every page of the dashboard starts from the German index.html (never cached: it names the bundles)."""
    etag = _etag()
    headers = {"Cache-Control": "no-cache", "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return HTMLResponse(index_html(), headers=headers)


class PageNameConvertor(Convertor):
    """One path segment without a dot: a page of the dashboard, never a file such as favicon.png."""

    regex = r"[^/.]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("page", PageNameConvertor())


def routes() -> list[BaseRoute]:
    """The German index for the start page and for every page path (/status, /daten, …)."""
    return [
        Route("/", german_index, methods=["GET", "HEAD"]),
        Route("/{page:page}", german_index, methods=["GET", "HEAD"]),
    ]


def bundle_text() -> str:
    """All of Streamlit's front-end JavaScript as one text, for the test that the English sources still exist."""
    scripts = (STATIC_DIR / "static").rglob("*.js")
    return "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in scripts)


def english_sources() -> list[str]:
    """The English texts, the fixed parts of the patterns and plotly's texts, as they must occur in the bundle."""
    variable = r"\(.*?\)\??|\[.*?\][+*]?|[\^$\\]"  # groups, character classes, anchors
    fixed = [re.sub(variable, " ", source).split("  ")[0].strip(" ,.:") for source, _ in PATTERNS]
    return [*TEXTS, *(part for part in fixed if part), *PLOTLY_LOCALE["dictionary"]]
