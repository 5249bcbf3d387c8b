"""Checking the codes a user types (COFOG, financial year, body type, a choice from a closed list) and naming the
nearest known ones when a code is unknown.

Pure: the codes known to a workspace (places, bodies) are read by the engine and checked by
`placespend.app.selection`, which uses `unknown` from here so every refusal reads alike.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

from placespend.domain import classifications as cls
from placespend.domain.problems import UnknownCode
from placespend.domain.vocabulary import BODY_TYPES, is_valid_period

NEAREST = 3
SIMILAR = 0.5  # difflib ratio below which a known code is not offered as what the user meant


def nearest(given: str, candidates: Mapping[str, str] | Iterable[str], n: int = NEAREST) -> list[str]:
    """The `n` candidates most like `given` (difflib's ratio over lower case, at least SIMILAR), as their labels.

    `candidates` maps the text compared (a code, or a name) to the label shown (e.g. "tp-kent (Kent)"), so a
    user who types a place's name is pointed at its code."""
    labels = dict(candidates) if isinstance(candidates, Mapping) else {c: c for c in candidates}
    lowered: dict[str, str] = {}
    for text, label in labels.items():
        lowered.setdefault(text.casefold(), label)
    if not lowered:  # nothing known yet (a workspace without places): nothing is near
        return []
    matches = difflib.get_close_matches(given.strip().casefold(), list(lowered), n=len(lowered), cutoff=SIMILAR)
    return list(dict.fromkeys(lowered[m] for m in matches))[:n]


def unknown(kind: str, given: str, candidates: Mapping[str, str] | Iterable[str], hint: str = "",
            examples: Iterable[str] = ()) -> UnknownCode:
    """The refusal of an unknown code: the nearest known codes, or (when none is alike) a few `examples` of
    known ones, so the message always says what would have worked."""
    close = nearest(given, candidates)
    shown = list(examples)[:NEAREST]
    if not close and shown:
        hint = f"Known {kind}s include {', '.join(shown)}. {hint}"
    return UnknownCode(kind, given, close, hint)


def require_cofog(text: str) -> str:
    """The canonical COFOG division or group (or class) code, or UnknownCode naming the nearest codes."""
    code = cls.normalise_cofog(text)
    if code is None:
        raise unknown("COFOG code", text, list(cls.cofog_names()),
                      "COFOG divisions are 01-10 (e.g. 07 health), groups 07.1-07.6.")
    return code


def require_period(text: str) -> str:
    """A financial year YYYY-YY; anything else names nothing and is refused."""
    period = text.strip()
    if not is_valid_period(period):
        raise UnknownCode("year", text, [], "A year is a financial year YYYY-YY, e.g. 2008-09.")
    return period


def require_choice(kind: str, text: str, choices: Iterable[str]) -> str:
    """One of a closed list (compared case-insensitively, spaces as underscores), or UnknownCode."""
    options = list(choices)
    wanted = "_".join(text.strip().casefold().split())
    found = next((choice for choice in options if choice.casefold() == wanted), None)
    if found is None:
        raise unknown(kind, text, options, f"It is one of: {', '.join(options)}.")
    return found


def require_body_type(text: str) -> str:
    return require_choice("body type", text, BODY_TYPES)
