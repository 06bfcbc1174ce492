from mayen_dash.loader import load_report
from mayen_dash.scorecard import Indicator, perspectives
from tests.builders import BUNDLED, xlsx_bytes


def test_bundled_perspectives_have_no_figures():
    items = perspectives(load_report(BUNDLED).scorecard)
    assert [p.name for p in items] == [
        "Finanzwirtschaftliche Perspektive",
        "Bürger/-Touristenperspektive",
        "Interne Prozessperspektive",
        "Potentialperspektive",
    ]
    assert items[2].goals == (
        "Verbesserung des Verwaltungsservice",
        "Verbesserte Steuerung durch die Nutzung von digitalen Daten",
    )
    assert len(items[0].indicators) == 6
    assert not any(i.has_figures for p in items for i in p.indicators)


def test_figures_only_where_both_values_exist():
    sheets = {
        "Maßnahmen": [["Maßnahme", "Status"], ["A", "offen"]],
        "Scorecard": [
            ["Perspektive", "Leitfrage", "Messgröße", "Einheit", "Zielwert", "Istwert"],
            ["Finanzen", "Wozu?", "Investitionsquote", "%", 12, "10,5"],
            ["Finanzen", "Wozu?", "Wachstumsquote", "%", 5, None],
        ],
    }
    [finance] = perspectives(load_report(xlsx_bytes(sheets)).scorecard)
    assert finance.indicators == (
        Indicator("Investitionsquote", "%", 12.0, 10.5),
        Indicator("Wachstumsquote", "%", 5.0),
    )
    assert [i.has_figures for i in finance.indicators] == [True, False]


def test_goals_and_actions_are_list_items_as_everywhere():
    sheets = {
        "Maßnahmen": [["Maßnahme", "Status"], ["A", "offen"]],
        "Scorecard": [
            ["Perspektive", "Leitfrage", "Strategische Ziele", "Maßnahmen"],
            ["Finanzen", "Wozu?", "– Wirtschaftlichkeit\n• Transparenz", "- Investitionen\nohne Zeichen"],
        ],
    }
    [finance] = perspectives(load_report(xlsx_bytes(sheets)).scorecard)
    assert finance.goals == ("Wirtschaftlichkeit", "Transparenz")
    assert finance.actions == ("Investitionen", "ohne Zeichen")
