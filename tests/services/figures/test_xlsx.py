"""The small XLSX writer: what it writes, openpyxl reads back as written."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook

from mutuo_aiuto.services.figures import exports, xlsx
from mutuo_aiuto.services.figures.rows import COLUMNS, Figure


def test_every_kind_of_cell_reads_back():
    rows = [["Fontivegge & <Via>", 12, 2.5, True, date(2026, 3, 31), None, "=1+1"],
            ["bell\x07", 0, -1.25, False, date(2025, 1, 1), "x", "ok"]]
    data = xlsx.workbook([("Foglio", ("a", "b", "c", "d", "e", "f", "g"), rows)],
                         description="Dati al 5 dic 2026, 02:40",
                         modified=datetime(2026, 12, 5, 1, 40, tzinfo=UTC))
    book = load_workbook(io.BytesIO(data))
    sheet = book["Foglio"]
    found = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert found[0] == ["a", "b", "c", "d", "e", "f", "g"]
    assert found[1] == ["Fontivegge & <Via>", 12, 2.5, True, datetime(2026, 3, 31), None,
                        "=1+1"]
    # A control character XML cannot carry is dropped; the text is never a formula.
    assert found[2] == ["bell", 0, -1.25, False, datetime(2025, 1, 1), "x", "ok"]
    assert sheet["G2"].data_type == "s"
    assert sheet.freeze_panes == "A2"
    assert sheet["E2"].number_format == "yyyy-mm-dd"
    assert book.properties.description == "Dati al 5 dic 2026, 02:40"
    assert book.properties.modified == datetime(2026, 12, 5, 1, 40)


def test_the_figures_workbook_has_its_two_sheets_and_columns():
    figures = [Figure(date(2026, 1, 1), date(2026, 3, 31), "requests_posted", "EECO11",
                      "Richieste pubblicate", "-Fontivegge", value=None, suppressed=True)]
    book = load_workbook(io.BytesIO(exports.to_xlsx(figures)))
    assert book.sheetnames == ["Indicatori", "Definizioni"]
    header, row = book["Indicatori"].iter_rows(values_only=True)
    assert header == COLUMNS
    # A name a spreadsheet would read as a formula is quoted, as in the CSV.
    assert row[COLUMNS.index("neighbourhood")] == "'-Fontivegge"
    assert row[COLUMNS.index("value")] is None and row[COLUMNS.index("suppressed")] is True


def test_many_columns_are_named_past_z():
    assert [xlsx._column(n) for n in (0, 25, 26, 27, 701, 702)] == [
        "A", "Z", "AA", "AB", "ZZ", "AAA"]
