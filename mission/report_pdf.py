"""The optional PDF copy of a progress report, made from the same content as the e-mail.

The PDF lays out the report's stored plain text (`ProgressReport.text`, the words and figures the e-mail states)
with the same chart. fpdf2 is pure Python (no system packages), so a fresh machine builds it from the package
index alone. Ukrainian needs a Unicode font: matplotlib, already a dependency for the chart, ships DejaVu Sans,
which covers Cyrillic and the narrow no-break space of Ukrainian numbers, so no font is kept in this repository.
"""

from __future__ import annotations

import datetime as dt
import io
from functools import cache
from pathlib import Path

FONT = "DejaVu"
# Headings of the plain-text report: "== Section ==" and "-- Subsection --".
SECTION, SUBSECTION = ("==", "=="), ("--", "--")


@cache
def _font_files() -> tuple[str, str]:
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return str(folder / "DejaVuSans.ttf"), str(folder / "DejaVuSans-Bold.ttf")


def _heading(line: str) -> tuple[int, str] | None:
    """(level, title) of a heading line, or None."""
    stripped = line.strip()
    for level, (opening, closing) in enumerate((SECTION, SUBSECTION), start=1):
        if len(stripped) > 4 and stripped.startswith(opening + " ") and stripped.endswith(" " + closing):
            return level, stripped[3:-3].strip()
    return None


def report_pdf(
    *, title: str, text: str, chart_png: bytes | None, language: str, chart_after: str = "", created: dt.datetime
) -> bytes:
    """A4 PDF of the report: the first line of `text` as the title, its headings in bold, the chart after the
    section titled `chart_after` (or before the first section when no section has that title)."""
    from fpdf import FPDF

    regular, bold = _font_files()
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_lang(language)
    pdf.set_creator("EUMAM Ukraine training logistics")
    pdf.set_creation_date(created)
    pdf.add_font(FONT, "", regular)
    pdf.add_font(FONT, "B", bold)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()

    lines = text.strip("\n").splitlines()
    headings = [_heading(line) for line in lines]
    chart_at = next(
        (index for index, heading in enumerate(headings) if heading and heading[1] == chart_after),
        next((index for index, heading in enumerate(headings) if heading), len(lines)),
    )

    def chart() -> None:
        if chart_png:
            pdf.image(io.BytesIO(chart_png), w=pdf.epw)
            pdf.ln(2)

    for index, line in enumerate(lines):
        heading = headings[index]
        if index == 0:
            pdf.set_font(FONT, "B", 15)
            pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif heading is not None:
            level, heading_title = heading
            if index == chart_at and heading_title != chart_after:
                chart()
            pdf.ln(3 if level == 1 else 1)
            pdf.set_font(FONT, "B", 12 if level == 1 else 10.5)
            pdf.multi_cell(0, 6, heading_title, new_x="LMARGIN", new_y="NEXT")
            if index == chart_at and heading_title == chart_after:
                chart()
        else:
            pdf.set_font(FONT, "", 9.5)
            pdf.multi_cell(0, 4.8, line or " ", align="L", new_x="LMARGIN", new_y="NEXT")
    if chart_at == len(lines):
        chart()
    return bytes(pdf.output())
