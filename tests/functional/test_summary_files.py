"""Summary files opened the way people open them: the workbook in a spreadsheet (openpyxl), the CSV with a
CSV reader, the JSON with a JSON parser. Every figure is the summary's, a withheld one is empty (or null)
with its reason, never 0."""

import csv
import io
import json
from datetime import UTC, date, datetime

from flask_babel import force_locale
from openpyxl import load_workbook

from stengage.core.exports import safe_cell
from stengage.extensions import db
from stengage.reports import export_files, xlsx
from stengage.reports.metrics import BREAKDOWNS, MEASURES
from stengage.reports.models import ExportJob
from stengage.reports.summaries import COLUMNS, MEASURE_COLUMNS, TABLES, records, summary
from tests import factories
from tests.conftest import login_as, submit
from tests.summaries import busy_area, summary_query

SHEETS = ["About this file", "Areas", "Processes", "Categories", "Outcomes", "Weeks", "Themes", "Data dictionary"]
FEW = "Not shown: fewer than 5 residents."


def _book(rows, about=None):
    return load_workbook(io.BytesIO(xlsx.write_xlsx(rows, about or export_files.describe(summary_query()))))


def _facts(sheet):
    """The About sheet's label and value pairs, down to the blank line before its table of sheets."""
    facts = {}
    for label, value, *_rest in sheet.iter_rows(min_row=2, values_only=True):
        if label is None:
            return facts
        facts[label] = value
    return facts


def _lines(sheet):
    header, *lines = sheet.iter_rows(values_only=True)
    return [dict(zip(header, line, strict=True)) for line in lines]


def _export(client, clerk, fmt):
    login_as(client, clerk)
    response = submit(client, "/staff/summaries", {"areas": ["vienna-simmering"], "format": fmt},
                      page="/staff/summaries")
    job = db.session.get(ExportJob, int(response.headers["Location"].rsplit("/", 1)[1]))
    return job, client.get(f"/staff/jobs/{job.id}/download").data


def test_the_workbook_has_a_sheet_per_breakdown_with_names_numbers_and_notes():
    busy_area()
    book = _book(summary(summary_query()))
    assert book.sheetnames == SHEETS and book.active.title == "About this file"
    processes = {line["Process"]: line for line in _lines(book["Processes"])}
    assert processes["Busy"] == {"Area": "Simmering", "Process": "Busy", "Proposals": 5, "Supports": 8, "Comments": 5,
                                 "Residents taking part": 8, "Accepted proposals": 0, "Implemented proposals": 0,
                                 "Figures withheld": False, "Note": None}
    quiet = processes["Quiet"]  # one resident: the whole row is withheld, never written as 0
    assert quiet["Figures withheld"] is True and quiet["Note"] == FEW
    assert [quiet[str(MEASURES[m].label)] for m in BREAKDOWNS["area_process"].measures] == [None] * 6
    lively = processes["Lively"]  # one author's idea; supports withheld so that Quiet's cannot be worked out
    assert lively["Proposals"] is None and lively["Supports"] is None and lively["Residents taking part"] == 6
    assert "Proposals — Not shown: fewer than 5 residents." in lively["Note"]
    assert "Supports, Comments — Not shown: it would let a hidden figure be worked out from the others." \
        in lively["Note"]
    assert [line["Category"] for line in _lines(book["Categories"])] == ["Mobility"]
    assert {line["Status"] for line in _lines(book["Outcomes"])} == {"Published"}
    [week] = _lines(book["Weeks"])
    assert isinstance(week["Week starting"], datetime) and week["Week starting"].weekday() == 0
    assert "{}-W{:02d}".format(*week["Week starting"].isocalendar()[:2]) == week["Week"]
    [theme] = _lines(book["Themes"])
    assert theme["Theme"] == "'=HYPERLINK(\"http://evil.example\")" and theme["Unique supporters"] == 8
    assert book["Themes"]["C2"].data_type == "s"  # text, never a formula


def test_every_figure_of_the_workbook_is_the_summarys_and_keeps_its_type():
    busy_area()
    rows = summary(summary_query())
    book = _book(rows)
    for table in TABLES:
        table_rows = [row for row in rows if row.table == table]
        lines = _lines(book[str(BREAKDOWNS[table].label)])
        assert len(lines) == len(table_rows)
        for row, line in zip(table_rows, lines, strict=True):
            for name in xlsx.NAMES[table]:
                assert line[str(BREAKDOWNS[xlsx.HEADING_OF[name]].item)] == safe_cell(row.extra["labels"][name])
            for measure in BREAKDOWNS[table].measures:
                value = line[str(MEASURES[measure].label)]
                assert value == row.value(measure) and (value is None or type(value) is int)
                assert (value is None) == (measure in row.hidden)
            assert line["Figures withheld"] is any(m in row.hidden for m in BREAKDOWNS[table].measures)


def test_headers_are_frozen_bold_and_shaded_and_numbers_read_with_separators():
    busy_area()
    book = _book(summary(summary_query()))
    for name in SHEETS[1:]:
        sheet = book[name]
        assert sheet.freeze_panes is not None and sheet.freeze_panes.endswith("2")
        for cell in sheet[1]:
            assert cell.font.bold and cell.fill.fill_type == "solid" and cell.border.bottom.style == "thin"
        assert sheet.auto_filter.ref.startswith("A1:")
    processes = book["Processes"]
    assert processes.freeze_panes == "C2"  # the header and the names stay in view
    assert processes["C2"].number_format == "#,##0" and processes["C3"].fill.fill_type == "solid"  # withheld
    widths = {letter: dimension.width for letter, dimension in processes.column_dimensions.items()}
    assert widths["F"] >= len("Residents taking part") and widths["J"] > widths["A"]
    assert book["Weeks"]["C2"].number_format == "yyyy-mm-dd"


def test_the_about_sheet_says_what_was_asked_when_it_was_counted_and_the_rule(app, monkeypatch):
    busy_area()
    monkeypatch.setitem(app.config, "DISCLOSURE_MIN_RESIDENTS", 7)
    query = summary_query(start=date(2024, 1, 1), end=date(2030, 12, 31))
    about = export_files.describe(query, counted=datetime(2025, 3, 4, 5, 6, 7, 890, tzinfo=UTC),
                                  dictionary_url="https://example.org/figures/")
    book = _book(summary(query), about)
    sheet = book["About this file"]
    facts = _facts(sheet)
    assert facts["Areas"] == "Simmering" and facts["Processes"] == "Every process of these areas"
    assert (facts["From"], facts["Until"]) == (datetime(2024, 1, 1), datetime(2030, 12, 31))
    assert facts["Figures counted (UTC)"] == datetime(2025, 3, 4, 5, 6, 7)
    assert facts["Fewest residents a figure may be about"] == 7
    assert "fewer than 7 residents" in facts["Withheld figures"]
    link = next(row[1] for row in sheet.iter_rows() if row[0].value == "What each figure counts")
    assert link.value == link.hyperlink.target == "https://example.org/figures/"
    contents = {line[0]: line[2] for line in sheet.iter_rows(values_only=True) if line[0] in SHEETS[1:]}
    assert contents == {name: book[name].max_row - 1 for name in SHEETS[1:]}
    # The same data gives the same bytes, also with the time the job counted.
    assert xlsx.write_xlsx(summary(query), about) == xlsx.write_xlsx(summary(query), about)


def test_a_summary_with_nothing_to_count_gives_sheets_with_headers_only():
    query = summary_query()  # no proposals, no reports in the area
    book = _book(summary(query), export_files.describe(query))
    for name in SHEETS[1:-1]:
        assert book[name].max_row == 1 and book[name].freeze_panes.endswith("2")
    counts = {line[0]: line[2] for line in book["About this file"].iter_rows(values_only=True) if line[0] in SHEETS}
    assert counts["Themes"] == 0 and counts["Data dictionary"] > 0


def test_the_dictionary_sheet_explains_every_column_from_the_metric_definitions():
    busy_area()
    book = _book(summary(summary_query()))
    entries = {line["Name"]: line for line in _lines(book["Data dictionary"])}
    headings = {cell.value for name in SHEETS[1:-1] for cell in book[name][1]}
    headings -= {str(BREAKDOWNS[table].item) for table in TABLES}  # names of what a row is about
    assert headings <= set(entries)
    proposals = entries["Proposals"]
    assert (proposals["Key"], proposals["Definition"], proposals["What counts"]) == (
        "proposals", str(MEASURES["proposals"].definition), str(MEASURES["proposals"].counts))
    assert entries["Figures withheld"]["Key"] == "suppressed"


def test_sheet_names_are_valid_and_short_in_every_language():
    busy_area()
    rows = summary(summary_query())
    for locale in ("de", "fr", "es", "it", "bg"):
        with force_locale(locale):
            names = _book(summary(summary_query())).sheetnames
        assert len(names) == len(SHEETS) and all(0 < len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    used = set()
    names = [xlsx.sheet_title(text, used) for text in ("Proposals: per [week] / area? * all of them, at length",
                                                        "PROPOSALS  per  week    area", "'Quoted'", "?")]
    assert names == ["Proposals  per  week    area", "PROPOSALS  per  week    are (2)", "Quoted", "Sheet"]
    assert rows  # the names did not depend on the figures


def test_the_csv_reads_with_fixed_columns_and_the_summarys_figures():
    busy_area()
    rows = summary(summary_query())
    lines = list(csv.DictReader(io.StringIO(export_files.write_csv(rows).decode("utf-8"))))
    assert tuple(lines[0]) == COLUMNS and len(lines) == len(rows)
    for record, line in zip(records(rows), lines, strict=True):
        for measure in MEASURE_COLUMNS:
            assert line[measure] == ("" if record[measure] is None else str(record[measure]))
        assert line["suppressed"] == str(record["suppressed"]).lower() and line["reason"] == record["reason"]
    quiet = next(line for line in lines if line["table"] == "area_process" and line["reason"] == "few")
    assert quiet["proposals"] == "" and quiet["suppressed"] == "true"


def test_the_json_has_stable_keys_the_dictionary_the_rule_and_nulls_with_reasons():
    busy_area()
    rows = summary(summary_query())
    body = json.loads(export_files.write_json(rows, summary_query().key()))
    assert body["columns"] == list(COLUMNS) and set(body["dictionary"]) == set(COLUMNS)
    assert body["disclosure"]["min_residents"] == 5 and "fewer than 5 residents" in body["disclosure"]["rule"]
    assert body["disclosure"]["reasons"]["few"] == FEW
    for row, line in zip(rows, body["rows"], strict=True):
        assert set(COLUMNS) <= set(line) and line["labels"] == row.extra["labels"]
        for measure in MEASURE_COLUMNS:
            withheld = measure in row.hidden
            assert (line["withheld"].get(measure) == str(row.hidden[measure])) if withheld else (
                measure not in line["withheld"])
            if withheld:
                assert line[measure] is None
    quiet = next(line for line in body["rows"] if line["labels"]["process"] == "Quiet" and line["table"] == "status")
    assert quiet["withheld"] == dict.fromkeys(("proposals", "supports", "comments", "residents"), "few")


def test_a_german_clerk_gets_german_sheets_and_names_while_csv_and_json_keys_stay_fixed(client):
    busy_area()
    clerk = factories.staff(locale="de")
    job, body = _export(client, clerk, "xlsx")
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["Über diese Datei", "Gebiete", "Verfahren", "Kategorien", "Was daraus wurde",
                               "Wochen", "Themen", "Datenbeschreibung"]
    assert _lines(book["Kategorien"])[0]["Kategorie"] == "Mobilität"
    assert {line["Status"] for line in _lines(book["Was daraus wurde"])} == {"Veröffentlicht"}
    assert any(line["Notiz"] == "Nicht angezeigt: weniger als 5 Personen." for line in _lines(book["Verfahren"]))
    facts = _facts(book["Über diese Datei"])
    assert facts["Zahlen gezählt (UTC)"] == job.started_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    assert facts["Was jede Zahl zählt"].endswith("/figures/")
    _job, body = _export(client, clerk, "csv")
    assert body.decode("utf-8").splitlines()[0] == ",".join(COLUMNS)
    _job, body = _export(client, clerk, "json")
    data = json.loads(body)
    assert data["columns"] == list(COLUMNS) and data["rows"][0]["labels"]["area"] == "Simmering"
    assert {line["labels"]["category"] for line in data["rows"] if line["table"] == "category"} == {"Mobilität"}


def test_the_pages_say_what_the_files_contain_and_link_the_data_dictionary(client):
    busy_area()
    clerk = factories.staff()
    login_as(client, clerk)
    page = client.get("/staff/summaries").get_data(as_text=True)
    assert "What the files contain" in page and "About this file" in page and 'href="/figures/"' in page
    assert "A figure about fewer than 5 residents is withheld" in page
    assert "fewer than 5" not in page.replace("A figure about fewer than 5", "")  # said once
    job, _body = _export(client, clerk, "xlsx")
    page = client.get(f"/staff/jobs/{job.id}").get_data(as_text=True)
    assert "one sheet per breakdown" in page and 'href="/figures/"' in page and 'href="/staff/dictionary.csv"' in page
    assert job.format == "xlsx" and "About this file" in page
