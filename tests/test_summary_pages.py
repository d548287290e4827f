"""The run summary above PAGE_ROWS samples: the first PAGE_ROWS rows server-rendered, every row in a JSON data
island with the same cells, hostile texts inert in both; at most PAGE_ROWS samples: the plain table as before.
Rows are the bundled demo's real summary rows, replicated with new sample ids."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from conftest import replicated_rows
from test_report import GENERATED_ON, no_event_handlers, parse, resource_urls

from hshpipe import report as rp

ISLAND = re.compile(r'<script type="application/json" id="summary-data">(.*?)</script>', re.S)
Cell = tuple[str, str, str | None, str | None]  # text, class, sort key (data-v), link

HOSTILE = {
    "sample": 'X00003-</script><script>alert(1)</script><img src=x onerror=alert(1)>\u2028"&amp;',
    "qualifying": [
        {"hgvs_c": "c.1A>G</SCRIPT ><!--<script>", "hgvs_p": "<img src=x onerror=alert(2)>", "zygosity": None}
    ],
    "family": "F</script>\u2029'&<b>",
}


class BodyCells(HTMLParser):
    """The table body's rows as cells (text, class, data-v, href), from the server-rendered HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[Cell]] = []
        self._in_body = False
        self._cell: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag == "td":
            self._cell = {"text": "", "class": a.get("class") or "", "key": a.get("data-v"), "href": None}
        elif self._cell is not None and tag == "a":
            self._cell["href"] = a.get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False
        elif tag == "td" and self._cell is not None:
            c = self._cell
            self.rows[-1].append((c["text"], c["class"], c["key"], c["href"]))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell["text"] += data


def server_rows(html: str) -> list[list[Cell]]:
    p = BodyCells()
    p.feed(html)
    p.close()
    return p.rows


def island(html: str) -> dict[str, Any]:
    m = ISLAND.search(html)
    assert m is not None
    return json.loads(m.group(1))


def island_rows(data: dict[str, Any]) -> list[list[Cell]]:
    def cell(c: list[Any]) -> Cell:
        return (c[0], data["classes"][c[1]], c[2] if len(c) > 2 else None, c[3] if len(c) > 3 else None)

    return [[cell(c) for c in row] for row in data["rows"]]


@pytest.fixture(scope="module")
def big(demo_summary_rows: list[dict]) -> tuple[list[dict], str]:
    rows = replicated_rows(demo_summary_rows, 1234)
    rows[3] = rows[3] | HOSTILE  # on the server-rendered first page
    rows[1000] = rows[1000] | HOSTILE | {"sample": HOSTILE["sample"].replace("X00003", "X01000")}  # island only
    rows[1001] = rp.failed_row("X01001-failed", "X01001-failed", "VCF <unreadable> & gone\u2028")
    return rows, rp.summary_html(rows, GENERATED_ON, synthetic=True)


def test_small_runs_keep_the_plain_table(demo_summary_rows: list[dict]) -> None:
    for rows in (demo_summary_rows, replicated_rows(demo_summary_rows, rp.PAGE_ROWS)):
        html = rp.summary_html(rows, GENERATED_ON, synthetic=True)
        assert len(server_rows(html)) == len(rows)
        assert ISLAND.search(html) is None and "<noscript>" not in html and 'id="pager"' not in html
        assert html.lower().count("<script") == 1


def test_large_run_serves_one_page_and_every_row_in_the_island(big: tuple[list[dict], str]) -> None:
    rows, html = big
    served = server_rows(html)
    assert len(served) == rp.PAGE_ROWS
    data = island(html)
    assert data["n"] == len(rows) == 1234 and data["page_rows"] == rp.PAGE_ROWS
    cells = island_rows(data)
    assert [r[0][0] for r in cells] == sorted(r["sample"] for r in rows)  # every sample, in sample order
    assert cells[: rp.PAGE_ROWS] == served  # the same cells (text, class, sort key, link) as the server rows
    assert cells == [[tuple(c) for c in rp.summary_cells(r)] for r in sorted(rows, key=lambda r: r["sample"])]
    assert all(len(r) == 8 for r in cells)
    # links: only each sample's own relative report path, or "#" (no report)
    links = {r[0][0]: r[0][3] for r in cells}
    assert links["X01001-failed"] == "#"
    assert all(h == rp.report_href(s) for s, h in links.items() if s != "X01001-failed")
    # counts cover every sample; the page says what it shows without JavaScript
    counts = dict(re.findall(r'<div class="count c-([a-z_]+)"><div class="n">(\d+)</div>', html))
    assert sum(map(int, counts.values())) == 1234 and counts["failed"] == "1"
    assert '<div class="count total"><div class="n">1234</div>' in html
    note = re.search(r"<noscript>(.*?)</noscript>", html, re.S)
    assert note is not None and "1234 samples" in note.group(1) and f"first {rp.PAGE_ROWS}" in note.group(1)
    assert "summary.tsv" in note.group(1)
    assert f"Rows 1&ndash;{rp.PAGE_ROWS} of 1234" in html
    assert resource_urls(html) == []
    assert html == rp.summary_html(list(reversed(rows)), GENERATED_ON, synthetic=True)  # deterministic


def test_hostile_texts_are_inert_in_rows_and_island(big: tuple[list[dict], str]) -> None:
    _, html = big
    assert html.lower().count("<script") == 2  # the island and the page script, nothing else
    assert html.lower().count("</script") == 2
    tags = [t for t, _ in parse(html).tags]
    assert "img" not in tags and "b" not in tags
    assert no_event_handlers(html)
    raw = ISLAND.search(html).group(1)  # type: ignore[union-attr]
    assert not set(raw) & {"<", ">", "&", "\u2028", "\u2029"}
    assert "\\u003c/script\\u003e" in raw
    # the texts arrive intact: on the server page as escaped text, in the island as JSON strings
    cells = {r[0][0]: r for r in island_rows(island(html))}
    for sample in (HOSTILE["sample"], HOSTILE["sample"].replace("X00003", "X01000")):
        row = cells[sample]
        assert row[2][0] == "c.1A>G</SCRIPT ><!--<script> <img src=x onerror=alert(2)>"
        assert row[7][0] == HOSTILE["family"]
        assert row[0][3] == rp.report_href(sample) and not set(row[0][3]) & set("<>:&'\"")
    served = {r[0][0]: r for r in server_rows(html)}
    assert served[HOSTILE["sample"]] == cells[HOSTILE["sample"]]
    assert cells["X01001-failed"][2][0] == "no report: VCF <unreadable> & gone"


def test_script_json_escapes() -> None:
    text = str(rp.script_json({"a": "</script><!--&\u2028\u2029é"}))
    assert text == '{"a":"\\u003c/script\\u003e\\u003c!--\\u0026\\u2028\\u2029é"}'
    assert json.loads(text) == {"a": "</script><!--&\u2028\u2029é"}
