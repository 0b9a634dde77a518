"""Banxico's FIX (series SF43718, pesos per US dollar "para solventar obligaciones denominadas en
moneda extranjera, fecha de determinación") as Banxico publishes it, read into rates by day.

Two forms come from the SIE: its API's JSON ({"bmx": {"series": [{"idSerie", "datos": [{"fecha",
"dato"}]}]}}) and its CSV download (title lines, a "Fecha,SF43718" header row, then one row a day).
Both say the day as dd/mm/yyyy and the rate with four places; a day without a determination says
"N/E" and is skipped. Nothing is kept unless the whole file reads: a refusal names its code and
where (the CSV's line, the JSON's index).
"""
from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

FIX_SERIES = "SF43718"

# One code per kind of refusal (billing's error catalogue declares them).
BANXICO_FILE_UNREADABLE = "billing.banxico_file_unreadable"
BANXICO_SERIES_UNKNOWN = "billing.banxico_series_unknown"
BANXICO_ROW_INVALID = "billing.banxico_row_invalid"
BANXICO_NO_RATES = "billing.banxico_no_rates"

NOT_DETERMINED = "N/E"
_DAY = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
# Positive, at most four places, and within what a rate column holds (eight whole digits).
_RATE = re.compile(r"^\d{1,8}(?:\.\d{1,4})?$")
_SERIES_ID = re.compile(r"^S[A-Z]\d+$", re.IGNORECASE)


class BanxicoRefused(Exception):
    """The file as a whole is refused: `code` says why, `errors` where ({location: [message]})."""

    def __init__(self, code: str, detail: str, errors: dict[str, list[str]] | None = None):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.errors = errors or {}


@dataclass(frozen=True)
class FixRates:
    """The determinations of one file, by day in the order published."""

    series: str
    rates: list[tuple[date, Decimal]]

    @property
    def first(self) -> date:
        return min(day for day, _ in self.rates)

    @property
    def last(self) -> date:
        return max(day for day, _ in self.rates)


def read_fix(raw: bytes, *, csv_form: bool) -> FixRates:
    """The FIX rates of an SIE file: its CSV download when `csv_form`, else its API's JSON."""
    text = _decode(raw)
    rows = _csv_rows(text) if csv_form else _json_rows(text)
    return _rates(rows)


def _decode(raw: bytes) -> str:
    # The SIE writes UTF-8 (sometimes with a byte order mark); a file saved again by a
    # spreadsheet on Windows is Latin-1, where "Título" and "México" are the only non-ASCII.
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    if "\x00" in text:
        raise BanxicoRefused(BANXICO_FILE_UNREADABLE, "The file holds NUL characters; it is not an SIE download.")
    return text


# A row as read: where it is, its day and its rate as written.
_Row = tuple[str, str, str]


def _csv_rows(text: str) -> list[_Row]:
    lines = list(csv.reader(text.splitlines()))
    header_at = next((index for index, cells in enumerate(lines) if _is_header(cells)), None)
    if header_at is None:
        if not text.strip():
            raise BanxicoRefused(BANXICO_NO_RATES, "The file is empty.")
        raise BanxicoRefused(BANXICO_FILE_UNREADABLE,
                             f"No header row 'Fecha,{FIX_SERIES}': the file is not an SIE download of a series.")
    columns = [cell.strip() for cell in lines[header_at][1:] if cell.strip()]
    _only_fix(columns, f"lines.{header_at + 1}")
    rows = []
    for index in range(header_at + 1, len(lines)):
        cells = [cell.strip() for cell in lines[index]]
        if not any(cells):
            continue
        where = f"lines.{index + 1}"
        if len(cells) != 2:
            raise _row_refused(where, f"{len(cells)} fields, not 2 (day, rate).")
        rows.append((where, cells[0], cells[1]))
    return rows


def _is_header(cells: list[str]) -> bool:
    rest = [cell.strip() for cell in cells[1:] if cell.strip()]
    return bool(cells) and cells[0].strip().casefold() == "fecha" and bool(rest) \
        and all(_SERIES_ID.match(cell) for cell in rest)


def _json_rows(text: str) -> list[_Row]:
    try:
        document = json.loads(text)
    except ValueError:
        raise BanxicoRefused(BANXICO_FILE_UNREADABLE, "The file is not valid JSON.") from None
    bmx = document.get("bmx") if isinstance(document, dict) else None
    series = bmx.get("series") if isinstance(bmx, dict) else None
    if not isinstance(series, list) or not all(isinstance(one, dict) for one in series):
        raise BanxicoRefused(BANXICO_FILE_UNREADABLE,
                             'The JSON has no "bmx": {"series": [...]}: it is not an answer of the SIE API.')
    _only_fix([str(one.get("idSerie", "")) for one in series], "bmx.series")
    datos = series[0].get("datos", [])
    if not isinstance(datos, list):
        raise BanxicoRefused(BANXICO_FILE_UNREADABLE, 'The series\' "datos" is not a list.')
    rows = []
    for index, dato in enumerate(datos):
        where = f"bmx.series.0.datos.{index}"
        if not isinstance(dato, dict) or not isinstance(dato.get("fecha"), str) \
                or not isinstance(dato.get("dato"), str):
            raise _row_refused(where, 'not {"fecha": "dd/mm/yyyy", "dato": "…"} with text values.')
        rows.append((where, dato["fecha"].strip(), dato["dato"].strip()))
    return rows


def _only_fix(series: list[str], where: str) -> None:
    others = [one for one in series if one.upper() != FIX_SERIES]
    if others or len(series) != 1:
        named = ", ".join(others) if others else ", ".join(series) or "none"
        raise BanxicoRefused(
            BANXICO_SERIES_UNKNOWN,
            f"Only Banxico's series {FIX_SERIES} (FIX) is taken, alone; this file has: {named}.",
            {where: [f"Series {named} is not {FIX_SERIES}."]},
        )


def _rates(rows: list[_Row]) -> FixRates:
    rates: list[tuple[date, Decimal]] = []
    errors: dict[str, list[str]] = {}
    seen: dict[date, str] = {}
    for where, day_text, rate_text in rows:
        if rate_text.upper() == NOT_DETERMINED:
            continue
        day = _day(day_text)
        if day is None:
            errors[where] = [f"{day_text!r} is not a day as dd/mm/yyyy."]
            continue
        if not _RATE.match(rate_text) or Decimal(rate_text) == 0:
            errors[where] = [f"{rate_text!r} is not a positive rate with at most four places."]
            continue
        if day in seen:
            errors[where] = [f"{day_text} appears twice (also at {_place(seen[day])})."]
            continue
        seen[day] = where
        rates.append((day, Decimal(rate_text)))
    if errors:
        first = next(iter(errors))
        raise BanxicoRefused(BANXICO_ROW_INVALID,
                             f"{len(errors)} row(s) are not valid; {_place(first)}: {errors[first][0]}", errors)
    if not rates:
        raise BanxicoRefused(BANXICO_NO_RATES, "The file holds no determined rate (every row is N/E, or none).")
    return FixRates(FIX_SERIES, rates)


def _day(text: str) -> date | None:
    match = _DAY.match(text)
    if match is None:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _row_refused(where: str, problem: str) -> BanxicoRefused:
    return BanxicoRefused(BANXICO_ROW_INVALID, f"{_place(where)}: {problem}", {where: [problem]})


def _place(where: str) -> str:
    """Where a row is, as a person reads it: "lines.12" (the CSV's) is line 12; a JSON index stays a path."""
    return f"line {where.removeprefix('lines.')}" if where.startswith("lines.") else where
