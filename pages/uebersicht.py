"""Übersicht: where the strategy stands, in the key figures (metrics.cards) and one chart."""

import streamlit as st

import ui
from mayen_dash import text_alternatives
from mayen_dash.charts import progress_by_area_chart
from mayen_dash.formatting import escape_markdown, format_count, format_percent, safe_markdown
from mayen_dash.metrics import cards, cards_sum
from mayen_dash.pdf import PdfError, html_to_pdf, pdf_available
from mayen_dash.report import build_report_html, report_file_name
from mayen_dash.vocabulary import NARRATIVE_FIELDS

view = ui.current_view()
report = view.report

st.title(escape_markdown(report.title), anchor=False)
if report.info.get("subtitle"):
    st.subheader(escape_markdown(report.info["subtitle"]), anchor=False)
st.caption(ui.filter_caption(view))

figures = cards(view.measures, view.as_of)
total, *parts, late = figures
# The total and "überfällig" first, then the status cards, the parts of the total, at most four to a row:
# a narrower card cuts its label ("in Bearbeit…") on a projector.
width = 3 if len(parts) in (5, 6) else 4
for row in [[total, late], *(parts[i : i + width] for i in range(0, len(parts), width))]:
    for column, card in zip(st.columns(width), row, strict=False):
        column.metric(
            card.label,
            format_count(card.value),
            delta=format_percent(card.share) if card.share is not None else None,
            delta_color="off",
            delta_arrow="off",
            help=card.help,
            border=True,
        )
st.caption(escape_markdown(f"{cards_sum(figures)}; „überfällig“ zählt Maßnahmen dieser Gruppen noch einmal."))

st.header("Fortschritt nach Handlungsfeld", anchor=False)
ui.clickable_chart(
    ui.view_figure(progress_by_area_chart),
    ui.view_alternative(text_alternatives.progress_by_area),
    key="chart_progress",
    filter_key=ui.keys.AREAS,
    help="Anteile je Handlungsfeld an dessen Maßnahmen im aktuellen Filter (100 % je Balken); "
    "die Zahl im Balken ist die Anzahl. Ein Klick auf einen Balken filtert auf das Handlungsfeld.",
)

st.header("Aus dem Bericht", anchor=False)
present = [(s.tab, report.info[s.key]) for s in NARRATIVE_FIELDS if report.info.get(s.key)]
if present:
    for tab, (_label, text) in zip(st.tabs([label for label, _ in present]), present, strict=True):
        tab.markdown(safe_markdown(text))
else:
    st.info("Die Datei enthält keine Berichtstexte (Blatt „Bericht“).")

st.header("Statusbericht für den Stadtrat", anchor=False)
st.write(
    "Der Bericht im Aufbau des Originals, mit dem Filter und Stichtag dieser Ansicht und den Änderungen seit "
    "dem vorigen Stand. Die HTML-Datei öffnet ohne Internet im Browser und druckt sauber als PDF."
)
earlier = ui.previous_snapshot(view)


def report_html() -> str:
    """Built on click: the previous Stand is read only then (seconds, for a Land-wide list)."""
    previous = view.filters.apply(ui.snapshot_report(earlier)) if earlier else None
    return build_report_html(
        report,
        view.measures,
        view.as_of,
        filter_text=view.filters.describe(),
        previous=previous,
        previous_date=earlier.report_date if earlier else None,
    )


left, right = st.columns(2)
left.download_button(
    "Statusbericht (HTML)",
    data=lambda: report_html().encode("utf-8"),
    file_name=report_file_name(report, view.as_of, filters=view.filters),
    mime="text/html",
    icon=":material/description:",
)
pdf_key = (view.snapshot.id, view.filters, view.as_of)
if not pdf_available():
    right.caption(
        "PDF nicht verfügbar: bitte die HTML-Datei im Browser öffnen und „Drucken → Als PDF speichern“ wählen."
    )
elif right.button("PDF erstellen", icon=":material/picture_as_pdf:"):
    with st.spinner("PDF wird erstellt …"):
        try:
            st.session_state[ui.keys.REPORT_PDF] = (pdf_key, html_to_pdf(report_html()))
        except PdfError as error:
            st.error(escape_markdown(str(error)))
stored_pdf = st.session_state.get(ui.keys.REPORT_PDF)
if stored_pdf and stored_pdf[0] == pdf_key:
    right.download_button(
        "PDF herunterladen",
        data=stored_pdf[1],
        file_name=report_file_name(report, view.as_of, "pdf", view.filters),
        mime="application/pdf",
        icon=":material/download:",
    )
