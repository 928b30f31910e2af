"""A small document model (headings, paragraphs, lists, tables) written as Markdown, HTML or CSV.

Reports build one :class:`Document`; each output format is one method, so the formats cannot
drift apart. Cell text is escaped for the target format; CSV cells that a spreadsheet would run
as a formula get a leading apostrophe.
"""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass, field

REPORT_FORMATS = ("md", "csv", "json", "html")


@dataclass
class Table:
    columns: list[tuple[str, str]]  # (key, header)
    rows: list[dict[str, object]]

    def cell(self, row: dict[str, object], key: str) -> str:
        value = row.get(key)
        if value is None:
            return ""
        if isinstance(value, (list, tuple)):
            return "; ".join(str(v) for v in value)
        if isinstance(value, float):
            return f"{value:.2f}"
        return str(value)


@dataclass
class Heading:
    text: str
    level: int = 2


@dataclass
class Paragraph:
    text: str


@dataclass
class Items:
    lines: list[str]


@dataclass
class TableBlock:
    table: Table
    empty: str


Block = Heading | Paragraph | Items | TableBlock


@dataclass
class Document:
    title: str
    blocks: list[Block] = field(default_factory=list)

    def heading(self, text: str, level: int = 2) -> Document:
        self.blocks.append(Heading(text, level))
        return self

    def paragraph(self, text: str) -> Document:
        self.blocks.append(Paragraph(text))
        return self

    def items(self, lines: list[str]) -> Document:
        self.blocks.append(Items(lines))
        return self

    def table(self, table: Table, empty: str = "(none)") -> Document:
        self.blocks.append(TableBlock(table, empty))
        return self

    # -- Markdown ------------------------------------------------------------------------
    def to_markdown(self) -> str:
        out = [f"# {self.title}", ""]
        for block in self.blocks:
            if isinstance(block, Heading):
                out += ["#" * block.level + " " + block.text, ""]
            elif isinstance(block, Paragraph):
                out += [block.text, ""]
            elif isinstance(block, Items):
                out += [f"- {line}" for line in block.lines] + [""]
            elif not block.table.rows:
                out += [block.empty, ""]
            else:
                table = block.table
                out.append("| " + " | ".join(h for _, h in table.columns) + " |")
                out.append("|" + "|".join("---" for _ in table.columns) + "|")
                for row in table.rows:
                    out.append("| " + " | ".join(_md(table.cell(row, k)) for k, _ in table.columns) + " |")
                out.append("")
        return "\n".join(out).rstrip() + "\n"

    # -- HTML -----------------------------------------------------------------------------
    def to_html(self) -> str:
        """A standalone HTML page."""
        e = html.escape
        out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
               f"<title>{e(self.title)}</title>",
               "<style>body{font-family:sans-serif;margin:2em;max-width:80em}"
               "table{border-collapse:collapse;margin:0.5em 0 1.5em}"
               "th,td{border:1px solid #bbb;padding:0.25em 0.5em;text-align:left;vertical-align:top}"
               "th{background:#eee}</style>", "</head>", "<body>", f"<h1>{e(self.title)}</h1>",
               self.to_html_body(), "</body>", "</html>"]
        return "\n".join(out) + "\n"

    def to_html_body(self) -> str:
        """The blocks as HTML, without the title, for a page that has its own frame."""
        e = html.escape
        out = []
        for block in self.blocks:
            if isinstance(block, Heading):
                out.append(f"<h{block.level}>{e(block.text)}</h{block.level}>")
            elif isinstance(block, Paragraph):
                out.append(f"<p>{e(block.text)}</p>")
            elif isinstance(block, Items):
                out.append("<ul>" + "".join(f"<li>{e(line)}</li>" for line in block.lines) + "</ul>")
            elif not block.table.rows:
                out.append(f"<p>{e(block.empty)}</p>")
            else:
                table = block.table
                out.append('<table class="data"><thead><tr>'
                           + "".join(f"<th>{e(h)}</th>" for _, h in table.columns) + "</tr></thead><tbody>")
                for row in table.rows:
                    out.append("<tr>" + "".join(f"<td>{e(table.cell(row, k))}</td>"
                                                for k, _ in table.columns) + "</tr>")
                out.append("</tbody></table>")
        return "\n".join(out)


def table_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([key for key, _ in table.columns])
    for row in table.rows:
        writer.writerow([csv_safe(table.cell(row, key)) for key, _ in table.columns])
    return buffer.getvalue()


def csv_safe(cell: str) -> str:
    """Cells that a spreadsheet would run as a formula are quoted with a leading apostrophe."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def _md(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
