"""Passwords too common to allow (OWASP ASVS 4.0.3 V2.1.7), checked offline.

The list is zxcvbn's (the Python port of Dropbox's estimator, MIT licence): its 30,000 most frequent passwords
of leaked password dumps, ranked by how often they appear. It ships inside the package, so nothing is asked of
another server at run time: placespend runs offline. With passwords of at least 12 characters only a few hundred
entries can match as they are, so a password is also refused when it is a listed one repeated ("password" twice
is "passwordpassword") or differs from one only by capitals and spaces: the forms people reach for when told
"at least 12 characters".
"""

from __future__ import annotations

from functools import cache

from zxcvbn.frequency_lists import FREQUENCY_LISTS


@cache
def _listed() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    folded = "".join(password.split()).casefold()
    listed = _listed()
    return any(len(folded) % size == 0 and folded[:size] in listed and folded == folded[:size] * (len(folded) // size)
               for size in range(1, len(folded) + 1))
