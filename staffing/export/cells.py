"""Text from user data that a spreadsheet could read as a formula (CSV/formula injection).

A cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
programs strip before looking) is run as a formula by Excel and LibreOffice when the file
is opened. The workbook stores such text as a string with the quote prefix (the cell
format's leading apostrophe); the wide CSV prefixes a ``'`` (OWASP's advice for CSV).
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula."""
    return text.startswith(FORMULA_STARTS)


def csv_safe(text: str) -> str:
    """``text`` for a CSV cell a spreadsheet opens: a leading ``'`` where it looks like a formula."""
    return "'" + text if looks_like_formula(text) else text
