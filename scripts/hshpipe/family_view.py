"""The family section of the HTML report: a small pedigree (SVG drawn here, in Python, so the template stays free of
logic) with each member's genotype at the qualifying sites, the inheritance of the sample's own variants,
Mendelian errors and segregation. A pure function of report.json's `family` (and `variants`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .hgvs import short_hgvs
from .vocab import PLP, VUS

BOX = 26  # symbol size (px)
COL = 150  # horizontal spacing
ROW = 70  # vertical spacing between generations
LINE = 13  # text line height
INHERITANCE_LABEL = {
    "paternal": "from the father",
    "maternal": "from the mother",
    "both": "carried by both parents",
    "de_novo": "de novo",
    "unknown": "unknown",
}


def generations(members: Sequence[Mapping[str, Any]], parents: Mapping[str, tuple[str | None, str | None]]) -> dict:
    """sample -> generation (0 for founders; a child one below its lower parent)."""
    gen: dict[str, int] = {}

    def depth(s: str, seen: frozenset[str] = frozenset()) -> int:
        if s not in gen:
            ps = [p for p in parents.get(s, (None, None)) if p and p in parents and p not in seen]
            gen[s] = 1 + max((depth(p, seen | {s}) for p in ps), default=-1)
        return gen[s]

    for m in members:
        depth(str(m["sample"]))
    return gen


def _symbol(x: float, y: float, sex: str, phenotype: str, me: bool) -> dict[str, Any]:
    fill = "#222" if phenotype == "affected" else "#fff" if phenotype == "unaffected" else "#bbb"
    stroke = "#c1121f" if me else "#222"
    return {
        "x": x,
        "y": y,
        "shape": {"male": "square", "female": "circle"}.get(sex, "diamond"),
        "fill": fill,
        "stroke": stroke,
        "width": 3 if me else 1.5,
        "r": BOX / 2,
        "cx": x + BOX / 2,
        "cy": y + BOX / 2,
        "diamond": f"{x + BOX / 2},{y} {x + BOX},{y + BOX / 2} {x + BOX / 2},{y + BOX} {x},{y + BOX / 2}",
    }


def _place(members: Sequence[Mapping[str, Any]], gen: Mapping[str, int]) -> dict[str, tuple[float, float]]:
    rows: dict[int, list[str]] = {}
    for m in members:
        rows.setdefault(gen[str(m["sample"])], []).append(str(m["sample"]))
    width = max(len(r) for r in rows.values())
    n_sites = max((len(m.get("genotypes") or []) for m in members), default=0)
    row_h = ROW + LINE * (n_sites + 1)
    pos: dict[str, tuple[float, float]] = {}
    for g, names in rows.items():
        offset = (width - len(names)) * COL / 2
        for i, s in enumerate(names):
            pos[s] = (20 + offset + i * COL + (COL - BOX) / 2 - 20, 10 + g * row_h)
    return pos


def pedigree_svg(family: Mapping[str, Any], me: str) -> dict[str, Any]:
    """Symbols, text lines and connecting lines of the pedigree, with the canvas size."""
    members = list(family.get("members") or [])
    parents = _parents(family, me)
    gen = generations(members, parents)
    pos = _place(members, gen)
    nodes, lines = [], []
    for m in members:
        s = str(m["sample"])
        x, y = pos[s]
        text = [s] + [f"{gt['genotype'].split(' ')[0]}" for gt in m.get("genotypes") or []]
        nodes.append(
            _symbol(x, y, str(m["sex"]), str(m["phenotype"]), s == me)
            | {"text": [{"x": x + BOX / 2, "y": y + BOX + LINE * (k + 1), "t": t} for k, t in enumerate(text)]}
        )
        fa, mo = parents.get(s, (None, None))
        ps = [pos[p] for p in (fa, mo) if p and p in pos]
        if ps:
            px = sum(p[0] for p in ps) / len(ps) + BOX / 2
            py = max(p[1] for p in ps) + BOX / 2
            lines.append({"x1": px, "y1": py, "x2": x + BOX / 2, "y2": y})
            couple = {"x1": min(p[0] for p in ps) + BOX, "y1": py, "x2": max(p[0] for p in ps), "y2": py}
            if len(ps) == 2 and couple not in lines:
                lines.append(couple)
    width = max((p[0] for p in pos.values()), default=0) + COL
    height = max((p[1] for p in pos.values()), default=0) + BOX + LINE * (len(family.get("qualifying_sites") or []) + 2)
    return {"nodes": nodes, "lines": lines, "width": width, "height": height}


def _parents(family: Mapping[str, Any], me: str) -> dict[str, tuple[str | None, str | None]]:
    """Parents of each member (within the family)."""
    return {str(m["sample"]): (m.get("father"), m.get("mother")) for m in family.get("members") or []}


def _weighed(v: Mapping[str, Any]) -> bool:
    """Variants the verdict weighs: (likely) pathogenic, or a VUS that could be the missing allele (not BP7)."""
    if v.get("classification") in PLP:
        return True
    codes = {c.get("code") for c in v.get("criteria") or ()}
    return v.get("classification") == VUS and "BP7" not in codes


def family_view(report: Mapping[str, Any]) -> dict[str, Any] | None:
    fam = report.get("family")
    if not fam:
        return None
    me = str(report["sample"])
    inherited = [
        {
            "name": " ".join(x for x in (short_hgvs(v.get("hgvs_c")), short_hgvs(v.get("hgvs_p"))) if x),
            "inheritance": INHERITANCE_LABEL.get(str(v["inheritance"]), str(v["inheritance"])),
        }
        for v in report.get("variants") or []
        if v.get("inheritance") and _weighed(v)
    ]
    seg = fam.get("segregation") or {}
    return {
        "id": fam["id"],
        "svg": pedigree_svg(fam, me),
        "sites": list(fam.get("qualifying_sites") or []),
        "members": fam.get("members") or [],
        "inherited": inherited,
        "mendel": f"{fam['mendelian_errors']} Mendelian error(s) at {fam['mendelian_sites']} informative TRPM6 sites",
        "mendel_examples": list(fam.get("mendelian_examples") or []),
        "swap": bool(fam.get("swap_suspected")),
        "segregation": seg.get("text") if seg else None,
        "segregation_mismatch": seg.get("status") == "mismatch",
        "carrier": bool(fam.get("carrier")),
        "flags": list(fam.get("flags") or []),
    }
