"""Pedigrees: a PED file (config key `pedigree`) or the same columns in the sample sheet, read and checked.

PED: six whitespace-separated columns per line -- family, individual, father, mother, sex (1 male, 2 female,
0 unknown), phenotype (1 unaffected, 2 affected, 0 or -9 unknown); `0` for a parent not given; `#` starts a
comment. Individuals are named by the sample sheet's `sample` ids. In the sheet the columns are `family`,
`father`, `mother`, `sex`, `phenotype` (empty: not in a family / not given).

Every problem is an InputError of one line naming the PED (or sheet) line. Pure functions; no VCF is read here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .samplesheet import SampleRow

SEX = {"1": "male", "2": "female", "0": "unknown"}
PHENOTYPE = {"1": "unaffected", "2": "affected", "0": "unknown", "-9": "unknown"}
MISSING_PARENT = ("0", "", ".")


@dataclass(frozen=True)
class Member:
    family: str
    sample: str
    father: str | None
    mother: str | None
    sex: str  # male | female | unknown
    phenotype: str  # affected | unaffected | unknown
    where: str  # "pedigree.ped line 3" or "samples.tsv line 4": named in messages

    @property
    def affected(self) -> bool:
        return self.phenotype == "affected"


@dataclass(frozen=True)
class Pedigree:
    members: Mapping[str, Member]  # sample id -> member

    def family_of(self, sample: str) -> str | None:
        m = self.members.get(sample)
        return m.family if m else None

    def family(self, family_id: str) -> list[Member]:
        return [m for m in self.members.values() if m.family == family_id]

    def family_ids(self) -> dict[str, str]:
        """sample -> family id (for batching)."""
        return {s: m.family for s, m in self.members.items()}


def _member(fields: Sequence[str], where: str) -> Member:
    fam, ind, father, mother, sex, phen = (f.strip() for f in fields)
    if sex not in SEX:
        raise InputError(f"{where}: sex {sex!r} for {ind} is not 1 (male), 2 (female) or 0 (unknown)")
    if phen not in PHENOTYPE:
        raise InputError(f"{where}: phenotype {phen!r} for {ind} is not 1 (unaffected), 2 (affected) or 0 (unknown)")
    if not fam or not ind:
        raise InputError(f"{where}: empty family or individual id; give both")
    return Member(
        fam,
        ind,
        None if father in MISSING_PARENT else father,
        None if mother in MISSING_PARENT else mother,
        SEX[sex],
        PHENOTYPE[phen],
        where,
    )


def read_ped(path: str | Path) -> list[Member]:
    """Members of a PED file, in file order (comments and blank lines skipped)."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: pedigree file not found; set `pedigree` in the config to a PED file or leave it out")
    out = []
    for n, line in enumerate(p.read_text(encoding="utf-8-sig").splitlines(), start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        fields = text.split()
        if len(fields) != 6:
            raise InputError(
                f"{p.name} line {n}: {len(fields)} columns; a PED line has six "
                "(family, individual, father, mother, sex, phenotype)"
            )
        out.append(_member(fields, f"{p.name} line {n}"))
    return out


def members_from_sheet(rows: Iterable[SampleRow], sheet_name: str = "sample sheet") -> list[Member]:
    """Members given by the sheet's `family` column (rows with an empty `family` are not in a family)."""
    out = []
    for r in rows:
        extra = dict(r.pedigree)
        if not extra.get("family"):
            continue
        fields = [extra["family"], r.sample, extra.get("father", ""), extra.get("mother", "")]
        fields += [extra.get("sex") or "0", extra.get("phenotype") or "0"]
        out.append(_member(fields, f"{sheet_name} line {r.line}"))
    return out


def _check_parent(m: Member, parent: str, role: str, by_id: Mapping[str, Member], sheet: str) -> None:
    p = by_id.get(parent)
    if p is None:
        raise InputError(
            f"{m.where}: {role} {parent} of {m.sample} is not a sample in {sheet}; add {parent} to the sheet "
            f"(with its VCF) or write 0 for a {role} who was not sequenced"
        )
    if p.family != m.family:
        raise InputError(f"{m.where}: {role} {parent} of {m.sample} is in family {p.family}, not {m.family}")
    wrong = "female" if role == "father" else "male"
    if p.sex == wrong:
        raise InputError(f"{m.where}: {role} {parent} of {m.sample} is {wrong} ({p.where}); fix the sex or the {role}")


def _check_loops(by_id: Mapping[str, Member]) -> None:
    """No one may be their own ancestor."""
    for m in by_id.values():
        seen: set[str] = set()
        todo = [p for p in (m.father, m.mother) if p]
        while todo:
            a = todo.pop()
            if a == m.sample:
                raise InputError(f"{m.where}: pedigree loop: {m.sample} is among its own ancestors; fix the parents")
            if a in seen or a not in by_id:
                continue
            seen.add(a)
            todo += [p for p in (by_id[a].father, by_id[a].mother) if p]


def _index(members: Sequence[Member], samples: Iterable[str], sheet: str) -> dict[str, Member]:
    have = set(samples)
    by_id: dict[str, Member] = {}
    for m in members:
        old = by_id.get(m.sample)
        if old is not None:
            what = "two fathers" if old.father != m.father else "two mothers" if old.mother != m.mother else "twice"
            raise InputError(f"{m.where}: {m.sample} is listed again (also {old.where}) with {what}; list it once")
        if m.sample not in have:
            raise InputError(
                f"{m.where}: individual {m.sample} (family {m.family}) is not a sample in {sheet}; add it to the "
                "sheet or remove it from the pedigree"
            )
        for parent, role in ((m.father, "father"), (m.mother, "mother")):
            if parent == m.sample:
                raise InputError(f"{m.where}: {m.sample} is listed as its own {role}; fix the {role} column")
        by_id[m.sample] = m
    return by_id


def validate(members: Sequence[Member], samples: Iterable[str], sheet: str = "the sample sheet") -> Pedigree:
    """Check the members against each other and the sheet's sample ids; one-line InputError naming the line."""
    by_id = _index(members, samples, sheet)
    _check_loops(by_id)
    for m in by_id.values():
        for parent, role in ((m.father, "father"), (m.mother, "mother")):
            if parent:
                _check_parent(m, parent, role, by_id, sheet)
        if m.father and m.father == m.mother:
            raise InputError(f"{m.where}: {m.father} is both father and mother of {m.sample}")
    return Pedigree(by_id)


def load_pedigree(ped: str | Path | None, rows: Sequence[SampleRow], sheet: str = "the sample sheet") -> Pedigree:
    """The run's pedigree: the PED file when given, else the sheet's family columns (empty pedigree if neither).
    Giving both is refused: one source of truth."""
    from_sheet = members_from_sheet(rows, sheet)
    if ped:
        if from_sheet:
            raise InputError(
                f"{from_sheet[0].where}: family columns in the sheet and a `pedigree` file in the config; use one"
            )
        return validate(read_ped(ped), [r.sample for r in rows], sheet)
    return validate(from_sheet, [r.sample for r in rows], sheet)
