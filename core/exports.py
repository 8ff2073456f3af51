"""Every spreadsheet the product hands out (CSV, XLSX) is built here, so that none of its cells can run.

A cell whose text begins with = + - @ (or a tab or carriage return) is read by Excel, WPS and LibreOffice as
a formula: a user name tried at login such as `=HYPERLINK("http://…?"&B2,"查看详情")` would send the
neighbouring cells away when the office opens the 安全审计 export (issue 12, M5). Such text gets a leading
single quote (the OWASP advice); in XLSX it is written as a text cell with Excel's own quote-prefix mark, so
the reader sees the title exactly as written and editing the cell does not turn it into a formula either.
Numbers stay numbers (a negative number is a value, not a formula); only text is ever quoted.

XML forbids most control characters, and openpyxl refuses them (IllegalCharacterError): a title holding
U+0001 made the whole 统计分析 export fail (issue 12, M3). The XLSX writer drops them on its own.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SHEET_ILLEGAL = re.compile(r"[\[\]:*?/\\]")
_XLSX_CELL_MAX = 32767  # Excel's limit on the characters of one cell
_SHEET_NAME_MAX = 31
_XLSX_VALUES = (str, bool, int, float, decimal.Decimal, dt.date, dt.time, dt.timedelta)


def formula_like(text: str) -> bool:
    """Would a spreadsheet read this text as a formula? Leading quotes are looked through, so that a text
    which itself starts with ' before = (rare) is quoted once more and an export stays reversible:
    removing one leading ' from a quoted cell gives back the stored text (the audit copy check relies on it)."""
    return text.lstrip(QUOTE).startswith(FORMULA_START)


def safe_cell(value: Any) -> Any:
    """The value as a CSV cell: text that a spreadsheet would run gets a leading single quote."""
    value = _plain(value)
    if isinstance(value, str) and formula_like(value):
        return QUOTE + value
    return value


def csv_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM (so Excel opens Chinese correctly), every cell passed through `safe_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    for values in rows:
        writer.writerow(["" if v is None else v for v in map(safe_cell, values)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8", "replace")  # a lone surrogate: never a crash


def to_csv_bytes(frame) -> bytes:
    """A pandas DataFrame as `csv_bytes` (without its index)."""
    return csv_bytes(list(frame.columns), frame.itertuples(index=False, name=None))


def to_xlsx_bytes(sheets: Mapping[str, Any]) -> bytes:
    """One worksheet per (name, DataFrame); text cells can neither run nor break the file."""
    from openpyxl import Workbook  # deferred: ~0.25 s to import; Excel files only

    book = Workbook()
    book.remove(book.active)
    for name, frame in sheets.items():
        sheet = book.create_sheet(_sheet_name(name, book.sheetnames))
        _write_row(sheet, 1, list(frame.columns))
        for number, values in enumerate(frame.itertuples(index=False, name=None), start=2):
            _write_row(sheet, number, values)
    if not book.sheetnames:
        book.create_sheet("统计")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xml_text(text: str) -> str:
    """The text without the characters XML 1.0 cannot hold."""
    return _XML_ILLEGAL.sub("", text)


def _write_row(sheet, number: int, values: Iterable[Any]) -> None:
    for column, value in enumerate(values, start=1):
        value = _plain(value)
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = value.replace(tzinfo=None)  # Excel has no time zones; shown as stored
        elif value is not None and not isinstance(value, _XLSX_VALUES):
            value = str(value)  # a list or anything else openpyxl refuses: its text
        if isinstance(value, str):
            value = xml_text(value)[:_XLSX_CELL_MAX]
        cell = sheet.cell(row=number, column=column, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # openpyxl would otherwise store "=…" as a live formula
            if formula_like(value):
                cell.quotePrefix = True


def _sheet_name(name: str, taken: list[str]) -> str:
    base = _SHEET_ILLEGAL.sub("_", xml_text(str(name))).strip("'")[:_SHEET_NAME_MAX] or "统计"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base[:_SHEET_NAME_MAX - len(str(n)) - 1]}_{n}"
    return candidate


def _plain(value: Any) -> Any:
    """Python's own value for what pandas and numpy hand over (NaN/NaT → None, numpy numbers → numbers)."""
    if value is None or type(value).__name__ == "NAType":  # pandas.NA
        return None
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp (NaT has it too)
        return None if value != value else value.to_pydatetime()
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
