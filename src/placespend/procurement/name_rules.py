"""Rules that join two folded names without weighing anything: each is nearly always right on its own.

- **same letters**: the names differ only in spaces ('pricewaterhouse coopers' / 'price waterhouse coopers',
  'systemslink 2000' / 'systems link 2000');
- **trading name**: one's legal or trading name (from 'X T/A Y') is the other's name, or both trade under
  one legal name ('capita business services t/a orange bus' / 'capita business services');
- **cut short**: the publisher cuts names at a fixed length (`resolution.cut_lengths`) and the other name
  begins with all the cut one kept, bar a stub of a legal form ('imperial civil enforcement solution' /
  '... solutions'; 'psychiatric services north east l' / 'psychiatric services north east'); at least
  MIN_CUT letters must remain, so a cut that left a common beginning joins nothing;
- **'UK', 'Co' or 'Group' added**: the names differ only by such words at the end ('rocket science uk' /
  'rocket science', 'ashtead plant hire co' / 'ashtead plant hire'). Other endings are not a rule: 'dac
  beachcroft claims' is a different company from 'dac beachcroft', and 'arriva north east' from 'arriva
  north west'; the name model weighs those.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from itertools import combinations

from placespend.procurement.resolution import Evidence, Payee

MIN_CUT = 15
GENERIC_ENDINGS = frozenset({"uk", "gb", "co", "company", "group", "and"})
LEGAL_STUBS = ("limited", "ltd", "plc", "llp", "cic", "company", "co")


def compact(key: str) -> str:
    return key.replace(" t/a ", " ").replace(" ", "")


def name_rule_evidence(payees: dict[str, Payee]) -> list[Evidence]:
    found: dict[tuple[str, str], Evidence] = {}

    def add(a: str, b: str, rule: str, **detail: object) -> None:
        if a != b:
            left, right = sorted((a, b))
            found.setdefault((left, right), Evidence(left, right, rule, detail=dict(detail)))

    for groups, rule in ((_by(payees, compact), "same letters"), (_by(payees, _without_endings), "UK, Co or Group")):
        for keys in groups.values():
            for a, b in combinations(keys, 2):
                add(a, b, rule)
    _trading_names(payees, add)
    _cut_short(payees, add)
    return list(found.values())


def _by(payees: dict[str, Payee], key_of) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for key in sorted(payees):
        groups[key_of(key)].append(key)
    return {value: keys for value, keys in groups.items() if len(keys) > 1}


def _without_endings(key: str) -> str:
    words = key.split()
    while len(words) > 1 and words[-1] in GENERIC_ENDINGS:
        words.pop()
    return " ".join(words)


def _trading_names(payees: dict[str, Payee], add) -> None:
    by_legal: dict[str, list[str]] = defaultdict(list)
    for key in sorted(payees):
        payee = payees[key]
        if payee.trading:
            by_legal[payee.legal].append(key)
            for part in (payee.legal, payee.trading):
                if part in payees:
                    add(key, part, "trading name", name=part)
    for legal, keys in by_legal.items():
        for a, b in combinations(keys, 2):
            add(a, b, "trading name", name=legal)


def _cut_short(payees: dict[str, Payee], add) -> None:
    ordered = sorted((compact(key), key) for key in payees)
    letters = [c for c, _ in ordered]
    for key in sorted(payees):
        if not payees[key].cut:
            continue
        stem = _stem(key)
        if len(stem) < MIN_CUT:
            continue
        start = bisect.bisect_left(letters, stem)
        for position in range(start, len(ordered)):
            letters_of, other = ordered[position]
            if not letters_of.startswith(stem):
                break
            add(key, other, "cut short", kept=stem)


def _stem(key: str) -> str:
    """The letters a cut name surely kept: without a last word that is the start of a legal form."""
    words = key.replace(" t/a ", " ").split()
    if len(words) > 1 and any(form.startswith(words[-1]) for form in LEGAL_STUBS):
        words = words[:-1]
    return "".join(words)
