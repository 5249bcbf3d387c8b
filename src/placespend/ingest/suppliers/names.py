"""Suppliers' names as partners publish them, folded to a key that two spellings of one supplier share.

Partners spell one supplier many ways: "Busy Bees Nurseries Ltd (Sale)", "BUSY BEES NURSERIES LIMITED",
"Gtr Mcr Youth Network Ltd (GMYN)", "Kevin May T/A Willows Carpets + Flo" (cut at 35 characters). The key
folds what never tells two suppliers apart: case, accents, punctuation, '&' / '+' / 'and', a leading
'The', the legal form at the end (Ltd, Limited, PLC, LLP, CIC, Inc...), initials written with or without
stops ('P.A.' = 'PA'), a few abbreviations councils' finance systems use ('Gtr', 'Assoc', 'Svcs'), a
trailing account number ("HM REVENUE & CUSTOMS 998873227"), and text in brackets (a branch or an acronym:
"(Sale)", "(GMYN)"), which is kept aside as the qualifier. "X T/A Y" (trading as) keeps both names: the key
is the whole, and the legal and trading parts are kept so that the name matching can see "Nullarbor Ltd T/A
Right at Home" in "Right at Home". "X C/O Y" is paid to X.

Every step that changed the name is recorded in words, so a resolution can say why two spellings are one.
Names that are not a supplier at all (redacted personal data, blanks) give no key: their money stays in
the partner's totals but is never matched to anything (seed 000 §5.4.4 is about buying from the same
suppliers; a redacted individual is nobody's shared supplier).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

REDACTED = re.compile(r"\bredacted\b|\bpersonal (information|data)\b|\bwithheld\b|\bnot disclosed\b", re.IGNORECASE)
TRADING_AS = re.compile(r"\bt\s*/\s*a\b|\btrading as\b", re.IGNORECASE)
CARE_OF = re.compile(r"\bc\s*/\s*o\b", re.IGNORECASE)
BRACKETED = re.compile(r"[(\[]([^)\]]*)[)\]]?")
APOSTROPHES = re.compile(r"['’`‘]")
NOT_ALNUM = re.compile(r"[^a-z0-9]+")
REFERENCE = re.compile(r"\s+\d{6,}$")   # 'HM REVENUE & CUSTOMS 998873227': an account number, not a name
LEGAL_PHRASES = (("public limited company", "plc"), ("limited liability partnership", "llp"),
                 ("community interest company", "cic"), ("charitable incorporated organisation", "cio"))
LEGAL_FORMS = frozenset({"limited", "ltd", "plc", "llp", "cic", "cio", "inc", "incorporated", "llc", "lp"})
# Abbreviations of councils' finance systems (Trafford's 35-character names are full of them), read as words.
ABBREVIATIONS = {
    "gtr": "greater", "mcr": "manchester", "assoc": "association", "assn": "association", "svc": "services",
    "svcs": "services", "svs": "services", "serv": "services", "trng": "training", "acad": "academy",
    "sch": "school", "ctr": "centre", "center": "centre", "inst": "institute", "envir": "environmental",
    "environ": "environmental", "equip": "equipment", "mbc": "metropolitan borough council",
    "ft": "foundation trust", "dept": "department", "govt": "government", "mgmt": "management",
    "natl": "national", "intl": "international", "univ": "university", "grp": "group", "bros": "brothers",
    "fdn": "foundation",
}


@dataclass(frozen=True)
class SupplierName:
    """A published name and what it folds to."""

    published: str
    key: str                 # the whole name folded: equal keys are one supplier
    legal: str               # the name before 'T/A' (folded), or the key when there is none
    trading: str             # the name after 'T/A' (folded), or ''
    qualifier: str           # bracketed text set aside, folded ('sale', 'gmyn')
    steps: tuple[str, ...]   # what folding did, in words


def is_redacted(name: str) -> bool:
    return bool(REDACTED.search(name))


@lru_cache(maxsize=65536)
def supplier_name(published: str) -> SupplierName | None:
    """The folded name, or None for a redacted or blank payee (not a supplier anyone can share)."""
    text = " ".join(published.split())
    if not text or is_redacted(text):
        return None
    steps: list[str] = []
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    if ascii_text != text:
        steps.append("accents and symbols dropped")
    lower = ascii_text.lower()
    reference = REFERENCE.search(lower)
    if reference and reference.start() > 0:
        steps.append(f"trailing reference number '{reference.group().strip()}' dropped")
        lower = lower[:reference.start()]
    care_of = CARE_OF.split(lower, maxsplit=1)
    if len(care_of) > 1:
        steps.append(f"'c/o {care_of[1].strip()}' dropped: the payee is the name before it")
        lower = care_of[0]
    qualifiers = [q.strip() for q in BRACKETED.findall(lower) if q.strip()]
    if qualifiers:
        steps.append(f"bracketed {', '.join(repr(q) for q in qualifiers)} set aside")
        lower = BRACKETED.sub(" ", lower)
    parts = TRADING_AS.split(lower, maxsplit=1)
    legal = _fold(parts[0], steps)
    trading = _fold(parts[1], steps) if len(parts) > 1 else ""
    if len(parts) > 1:
        steps.append(f"'trading as' read: legal name '{legal}', trading name '{trading}'")
    if not legal and trading:
        legal, trading = trading, ""
    if not legal:
        return None
    key = f"{legal} t/a {trading}" if trading else legal
    qualifier = " ".join(_words(" ".join(qualifiers)))
    return SupplierName(text, key, legal, trading, qualifier, tuple(dict.fromkeys(steps)))


def _words(text: str) -> list[str]:
    return NOT_ALNUM.sub(" ", APOSTROPHES.sub("", text.replace("&", " and ").replace("+", " and "))).split()


def _fold(text: str, steps: list[str]) -> str:
    """One part of a name (legal or trading) folded; `steps` gains a line for each kind of change."""
    if re.search(r"[&+]", text):
        steps.append("'&' and '+' read as 'and'")
    for phrase, form in LEGAL_PHRASES:
        text = re.sub(rf"\b{phrase}\b", form, text)
    words = _join_initials(_words(text), steps)
    expanded = [ABBREVIATIONS.get(word, word) for word in words]
    if expanded != words:
        steps.append("abbreviations read as words (" + ", ".join(
            sorted({f"{a} = {b}" for a, b in zip(words, expanded, strict=True) if a != b})) + ")")
    words = expanded
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
        steps.append("leading 'the' dropped")
    dropped = []
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        dropped.append(words.pop())
    if dropped:
        steps.append(f"legal form dropped ({' '.join(reversed(dropped))})")
    return " ".join(words)


def _join_initials(words: list[str], steps: list[str]) -> list[str]:
    """'p a consulting' -> 'pa consulting': initials written with stops or spaces read as one word."""
    out: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        if len(run) > 1:
            steps.append(f"initials '{' '.join(run)}' read as '{''.join(run)}'")
            out.append("".join(run))
        else:
            out.extend(run)
        run = []
        if word:
            out.append(word)
    return out
