"""Every CSV the app offers, made one way: cells a spreadsheet would run are text.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as
a formula by Excel, LibreOffice and Google Sheets; an event named
``=HYPERLINK("http://evil.example/x","csv")`` would become a link in the club's sheet.
OWASP's rule (CSV Injection) is to put a single quote before such a cell, which makes
the spreadsheet show it as text. A real number (``-5``, ``-3.5``, ``+2``) is left as it
is, so a negative number stays a number; numbers in numeric columns never change.
Headers are cells too (a ticket type's name becomes a column). UTF-8 with a byte-order
mark, so a spreadsheet opens accents right.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A number as a spreadsheet reads one: sign, digits, decimals, exponent; no letters.
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)


def safe_cell(value: object) -> object:
    """``value`` as a spreadsheet may take it: text that would start a formula gets a
    leading single quote; anything else (numbers, empty cells, plain text) unchanged."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    if _NUMBER.fullmatch(value):
        return value
    return "'" + value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell and header made safe (``safe_cell``)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(safe_cell, na_action="ignore")
    out.columns = [safe_cell(str(c)) for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The CSV every download button offers: ``frame`` without its index, made safe."""
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")
