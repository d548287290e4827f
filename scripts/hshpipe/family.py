"""Family logic, pure functions over typed genotypes (family_calls.SiteGenotype): where each of a child's alleles
came from, phase from the parents, Mendelian errors, segregation in siblings, carriers, and the sentences the
reports use. Nothing here reads files; a parent's unknown genotype (no-call, low quality) is never guessed.

Inheritance of a child's allele (ALT copies: father f, mother m; None = unknown or not sequenced):
  heterozygous child: f>0, m=0 -> paternal; f=0, m>0 -> maternal; f=m=1 -> both (either parent could have given
  it); f=m=0 -> de_novo; a homozygous parent settles it alone (f=2 -> paternal unless m=2); otherwise unknown.
  homozygous child: f>0 and m>0 -> both; one parent carrier and the other 0/0 -> that parent, flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

from .family_calls import ASSUMED, MemberGenotypes, SiteGenotype

PATERNAL, MATERNAL, BOTH, DE_NOVO, UNKNOWN = "paternal", "maternal", "both", "de_novo", "unknown"
INHERITANCE: tuple[str, ...] = (PATERNAL, MATERNAL, BOTH, DE_NOVO, UNKNOWN)
SWAP_MIN_ERRORS = 3  # Mendelian errors that, with the rate below, point to a sample swap or wrong relationship
SWAP_MIN_RATE = 0.1  # of informative sites


@dataclass(frozen=True)
class Site:
    """One of the child's qualifying or uncertain alleles."""

    key: str  # chrom:pos:ref:alt, as in report.json
    pos: int
    ref: str
    alt: str
    name: str  # c. (p.) name for sentences
    alt_count: int  # in the child: 1 heterozygous, 2 homozygous
    null: bool = False  # loss-of-function consequence (HIGH impact)


@dataclass(frozen=True)
class Origin:
    site: Site
    inheritance: str
    father: SiteGenotype | None  # None: no father in the sheet
    mother: SiteGenotype | None


def _count(g: SiteGenotype | None) -> int | None:
    return g.alt_count if g is not None else None


def inheritance(child: int, father: SiteGenotype | None, mother: SiteGenotype | None) -> str:
    """paternal | maternal | both | de_novo | unknown for an allele the child carries `child` (1 or 2) times."""
    f, m = _count(father), _count(mother)
    if child >= 2:
        if f and m:
            return BOTH
        if f and m == 0:
            return PATERNAL
        if m and f == 0:
            return MATERNAL
        return UNKNOWN
    if f == 2 or m == 2:
        return UNKNOWN if f == m else PATERNAL if f == 2 else MATERNAL
    if f is None or m is None:
        return UNKNOWN
    return {(0, 0): DE_NOVO, (1, 0): PATERNAL, (0, 1): MATERNAL, (1, 1): BOTH}[(f, m)]


def parent_haplotype(o: Origin) -> int | None:
    """Phase from the parents for a heterozygous allele: 0 paternal haplotype, 1 maternal, None unknown."""
    if o.site.alt_count != 1:
        return None
    return {PATERNAL: 0, MATERNAL: 1}.get(o.inheritance)


def _transmits(n: int | None) -> set[int]:
    return {0, 1} if n is None else {0: {0}, 1: {0, 1}, 2: {1}}[min(n, 2)]


def consistent(child: int, father: int | None, mother: int | None) -> bool:
    """Whether the child's ALT count can come from one allele of each parent (unknown parent: either allele)."""
    return any(a + b == min(child, 2) for a in _transmits(father) for b in _transmits(mother))


@dataclass(frozen=True)
class MendelCheck:
    errors: int
    informative: int  # sites where the child and at least one parent have a known genotype and someone carries
    assumed: int  # of those, sites where a genotype rests on 'reference assumed' (variant-only VCF)
    examples: tuple[str, ...]  # 'pos ref>alt child 0/1 father 0/0 mother 0/0', at most five

    @property
    def swap_suspected(self) -> bool:
        return self.errors >= SWAP_MIN_ERRORS and self.errors >= SWAP_MIN_RATE * max(self.informative, 1)


def mendel_check(child: MemberGenotypes, father: MemberGenotypes | None, mother: MemberGenotypes | None) -> MendelCheck:
    """Mendelian errors over every allele any of the trio carries in the region."""
    parents = [p for p in (father, mother) if p is not None]
    sites = sorted({k for m in (child, *parents) for k in m.carried()})
    errors = informative = assumed = 0
    examples: list[str] = []
    for pos, ref, alt in sites:
        c = child.at(pos, ref, alt)
        f, m = (p.at(pos, ref, alt) if p else None for p in (father, mother))
        if c.alt_count is None or all(_count(g) is None for g in (f, m)):
            continue
        informative += 1
        assumed += any(g is not None and g.source == ASSUMED for g in (c, f, m))
        if not consistent(c.alt_count, _count(f), _count(m)):
            errors += 1
            if len(examples) < 5:
                examples.append(f"{pos} {ref}>{alt}: child {c.gt}, father {_gt(f)}, mother {_gt(m)}")
    return MendelCheck(errors, informative, assumed, tuple(examples))


def _gt(g: SiteGenotype | None) -> str:
    return "not sequenced" if g is None else g.label


def _parent_words(o: Origin) -> str:
    return f"father {_gt(o.father)}, mother {_gt(o.mother)}"


def origin_sentence(o: Origin) -> str:
    """'c.1A>T came from the father (father 0/1, mother 0/0).' and the like."""
    n = o.site.name
    what = {
        PATERNAL: f"{n} came from the father",
        MATERNAL: f"{n} came from the mother",
        BOTH: f"{n} is carried by both parents",
        DE_NOVO: f"{n} is de novo (in neither parent)",
        UNKNOWN: f"{n}: inheritance unknown",
    }[o.inheritance]
    return f"{what} ({_parent_words(o)})."


def hom_flag(o: Origin) -> str | None:
    """A homozygous allele with a parent who is homozygous reference: three explanations and how to tell them."""
    if o.site.alt_count < 2 or o.inheritance not in (PATERNAL, MATERNAL):
        return None
    other, carrier = ("mother", "paternal") if o.inheritance == PATERNAL else ("father", "maternal")
    return (
        f"{o.site.name} is homozygous but the {other} does not carry it ({_parent_words(o)}). Three explanations: "
        f"a deletion of TRPM6 on the {other}'s allele (test TRPM6 copy number in the child and the {other}, e.g. "
        f"MLPA or read depth), {carrier} uniparental disomy of chromosome 9 (look for long runs of homozygosity "
        f"and chromosome 9 markers inherited only from one parent), or a sample mix-up (check identity and "
        "relationships: sex, genome-wide Mendelian errors). Resolve this before reporting."
    )


def de_novo_sentence(o: Origin, mendel: MendelCheck) -> str | None:
    if o.inheritance != DE_NOVO:
        return None
    kind = "a de novo null allele" if o.site.null else "a de novo variant"
    return (
        f"{o.site.name} is {kind}: absent from both parents ({_parent_words(o)}). Confirm it in the trio (e.g. "
        f"Sanger sequencing) and the relationships ({mendel.errors} Mendelian error(s) at {mendel.informative} "
        "informative TRPM6 sites); the parents cannot tell on which allele it arose."
        + (
            " So many Mendelian errors suggest the listed parents may not be the biological parents: then "
            "'de novo' is not established."
            if mendel.swap_suspected
            else ""
        )
    )
