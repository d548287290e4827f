"""Genetic code and amino-acid names (standard code; TRPM6 is nuclear)."""

from __future__ import annotations

from .reference import GENETIC_CODE, revcomp, translate

_ONE_LETTER = "ARNDCQEGHILKMFPSTWYV*XUO"
_THREE_LETTER = "Ala Arg Asn Asp Cys Gln Glu Gly His Ile Leu Lys Met Phe Pro Ser Thr Trp Tyr Val Ter Xaa Sec Pyl"
AA3: dict[str, str] = dict(zip(_ONE_LETTER, _THREE_LETTER.split(), strict=True))
AA1: dict[str, str] = {v: k for k, v in AA3.items()}

__all__ = ["AA1", "AA3", "GENETIC_CODE", "aa3", "revcomp", "translate", "translate_to_stop"]


def aa3(residues: str) -> str:
    """One-letter residues -> concatenated three-letter names ("S*" -> "SerTer")."""
    return "".join(AA3[r] for r in residues)


def translate_to_stop(seq: str) -> tuple[str, bool]:
    """Translate until (and including) the first stop; (peptide, stop_found)."""
    code = GENETIC_CODE
    out = []
    for i in range(0, len(seq) - 2, 3):
        aa = code.get(seq[i : i + 3], "X")
        out.append(aa)
        if aa == "*":
            return "".join(out), True
    return "".join(out), False
