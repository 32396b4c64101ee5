"""The one XLSX writer behind every crm_extended export.

A report is described by columns and an iterable of row chunks; the writer
streams the rows with xlsxwriter's ``constant_memory`` mode, so a large export
keeps a small memory footprint. Given an ``output`` file, the workbook goes
there instead of into memory: the download route streams it from a temporary
file (see ``controllers/xlsx_export.py``).
"""

import datetime
import io
import math
import tempfile
from dataclasses import dataclass

import xlsxwriter

# column kinds
CHAR, INTEGER, FLOAT, MONEY, PERCENT, DATE = "char", "integer", "float", "money", "percent", "date"
_NUMERIC = (INTEGER, FLOAT, MONEY, PERCENT)
# beyond this a float has no cents left to round (and rounding it may overflow)
_ROUNDING_LIMIT = 1e15


@dataclass
class Column:
    key: str
    header: str
    kind: str = CHAR
    total: bool = False
    width: int = 0  # 0: fit to the header and the first rows


def money_format(currency):
    """An Excel number format showing amounts as the company currency does."""
    decimals = currency.decimal_places if currency else 2
    number = "#,##0" + ("." + "0" * decimals if decimals else "")
    symbol = (currency.symbol or currency.name or "").replace('"', "") if currency else ""
    if not symbol:
        return number
    if currency.position == "before":
        return f'"{symbol}" {number};-"{symbol}" {number}'
    return f'{number} "{symbol}";-{number} "{symbol}"'


class XlsxReportWriter:
    """Write one report: a data sheet (header row, rows, totals) and a filters sheet."""

    SAMPLE_ROWS = 200  # rows looked at to size the columns
    MAX_WIDTH = 60

    def __init__(
        self, title, columns, currency=None, filters=(), total_label="Total", number_error=None
    ):
        self.title = title
        self.columns = columns
        self.currency = currency
        self.filters = list(filters)
        self.total_label = total_label
        # column header -> the exception raised for a number no workbook can hold
        # (infinity, NaN: a sum of huge amounts); the caller's translated refusal
        self.number_error = number_error or (
            lambda header: ValueError(f"{header}: a figure is too large to export.")
        )

    def _check_number(self, col, value):
        if isinstance(value, float) and not math.isfinite(value):
            raise self.number_error(col.header)
        return value

    def _round_total(self, col, value):
        """Sums of floats carry binary noise (82134.48000000001): round them as shown."""
        self._check_number(col, value)
        if abs(value) >= _ROUNDING_LIMIT:
            return value
        if col.kind == MONEY:
            return self.currency.round(value) if self.currency else round(value, 2)
        if col.kind == INTEGER:
            return int(value)
        return round(value, 6)

    def _fit_widths(self, sample):
        widths = []
        for col in self.columns:
            if col.width:
                widths.append(col.width)
                continue
            width = len(col.header) + 4  # room for the autofilter arrow
            for row in sample:
                value = row.get(col.key)
                if col.kind == DATE:
                    text = "0000-00-00"
                elif col.kind in _NUMERIC and value is not None and not isinstance(value, str):
                    text = f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"
                    text += "    "  # currency symbol
                else:
                    text = "" if value in (None, False) else str(value)
                width = max(width, len(text) + 2)
            widths.append(min(width, self.MAX_WIDTH))
        return widths

    def _formats(self, workbook):
        return {
            "header": workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1}),
            CHAR: None,
            INTEGER: workbook.add_format({"num_format": "0"}),
            FLOAT: workbook.add_format({"num_format": "#,##0.00"}),
            MONEY: workbook.add_format({"num_format": money_format(self.currency)}),
            PERCENT: workbook.add_format({"num_format": "0.00"}),
            DATE: workbook.add_format({"num_format": "yyyy-mm-dd"}),
            "total_label": workbook.add_format({"bold": True, "top": 1}),
            "total": {
                kind: workbook.add_format(
                    {
                        "bold": True,
                        "top": 1,
                        "num_format": {
                            INTEGER: "0",
                            FLOAT: "#,##0.00",
                            MONEY: money_format(self.currency),
                            PERCENT: "0.00",
                        }[kind],
                    }
                )
                for kind in _NUMERIC
            },
        }

    def write(self, chunks, output=None):
        """Write the workbook from an iterable of row chunks (lists of dicts).

        Return its bytes; or, given ``output`` (a binary file object opened for
        writing, or a path), write it there and return None, holding no more
        than one chunk of rows in memory.
        """
        to_memory = output is None
        if to_memory:
            output = io.BytesIO()
        with tempfile.TemporaryDirectory(prefix="crmx_xlsx_") as tmpdir:
            workbook = xlsxwriter.Workbook(
                output,
                {
                    "constant_memory": True,
                    "tmpdir": tmpdir,
                    "default_date_format": "yyyy-mm-dd",
                    "remove_timezone": True,
                },
            )
            fmt = self._formats(workbook)
            sheet = workbook.add_worksheet(self.title[:31])
            filters_sheet = workbook.add_worksheet("Filters")

            chunks = iter(chunks)
            first = next(chunks, [])
            for index, width in enumerate(self._fit_widths(first[: self.SAMPLE_ROWS])):
                sheet.set_column(index, index, width)
            sheet.freeze_panes(1, 0)
            for index, col in enumerate(self.columns):
                sheet.write_string(0, index, col.header, fmt["header"])

            totals = {col.key: 0 for col in self.columns if col.total}
            row_index = 0

            def write_rows(rows):
                nonlocal row_index
                for row in rows:
                    row_index += 1
                    for index, col in enumerate(self.columns):
                        self._write_cell(
                            sheet,
                            row_index,
                            index,
                            col,
                            self._check_number(col, row.get(col.key)),
                            fmt,
                        )
                        if col.total and row.get(col.key):
                            totals[col.key] += row[col.key]

            write_rows(first)
            for chunk in chunks:
                write_rows(chunk)

            last_data_row = row_index
            sheet.autofilter(0, 0, max(last_data_row, 1), len(self.columns) - 1)
            if totals:
                row_index += 1
                label_col = next((i for i, col in enumerate(self.columns) if not col.total), None)
                if label_col is not None:
                    sheet.write_string(row_index, label_col, self.total_label, fmt["total_label"])
                for index, col in enumerate(self.columns):
                    if col.total:
                        sheet.write_number(
                            row_index,
                            index,
                            self._round_total(col, totals[col.key]),
                            fmt["total"][col.kind],
                        )

            filters_sheet.set_column(0, 0, 22)
            filters_sheet.set_column(1, 1, 40)
            for index, (label, value) in enumerate(self.filters):
                filters_sheet.write_string(index, 0, label, fmt["header"])
                if isinstance(value, datetime.date):
                    filters_sheet.write_datetime(index, 1, value, fmt[DATE])
                else:
                    filters_sheet.write_string(
                        index, 1, "" if value in (None, False) else str(value)
                    )
            workbook.close()
        self.row_count = last_data_row
        return output.getvalue() if to_memory else None

    @staticmethod
    def _write_cell(sheet, row, col_index, col, value, fmt):
        if value is None or value is False:
            # no value is blank (a win rate with no closed deal), not 0; False
            # on money or counts is Odoo's empty number: 0
            if value is False and col.kind in _NUMERIC and col.kind != CHAR:
                value = 0
            else:
                sheet.write_blank(row, col_index, None)
                return
        if col.kind == DATE:
            if isinstance(value, datetime.datetime):
                value = value.replace(tzinfo=None)
            elif isinstance(value, datetime.date):
                value = datetime.datetime.combine(value, datetime.time())
            sheet.write_datetime(row, col_index, value, fmt[DATE])
        elif col.kind in _NUMERIC and not isinstance(value, str):
            sheet.write_number(row, col_index, value, fmt[col.kind])
        else:
            sheet.write_string(row, col_index, str(value))
