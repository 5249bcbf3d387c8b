"""Registered identifiers of suppliers as spend files publish them: VAT, Companies House and charity numbers.

An identifier is only worth matching on when it is what it claims to be, so each is checked: a UK VAT
number has 9 digits (12 for a branch) whose check digits pass HMRC's modulus 97 test (either the old or
the 2010 "97-55" scheme); a company number is 8 characters, digits zero-padded or a two-letter register
prefix and 6 digits (SC Scotland, NI Northern Ireland, OC LLPs ...); a charity number is 6 or 7 digits
(England and Wales), or SC / NIC and digits. Placeholders ('NA', 'N/A', 'None', '0') mean no identifier.
A value that fails is reported (row and column) and not used: a mistyped VAT number would otherwise join
two suppliers that share nothing else.
"""

from __future__ import annotations

import re

PLACEHOLDERS = frozenset({"", "na", "n/a", "none", "nil", "0", "-", "tbc", "unknown", "not registered", "no"})
COMPANY = re.compile(r"^(?:\d{8}|[A-Z]{2}\d{6}|R\d{7})$")
CHARITY = re.compile(r"^(?:\d{6,7}|SC\d{6}|NIC?\d{5,6})$")
VAT_WEIGHTS = (8, 7, 6, 5, 4, 3, 2)


class IdentifierProblem(ValueError):
    """A value that is not the identifier its column says; the message says why."""


def _cleaned(text: str) -> str | None:
    value = re.sub(r"[\s.\-]", "", text).upper()
    return None if text.strip().lower() in PLACEHOLDERS or value.lower() in PLACEHOLDERS else value


def vat_number(text: str) -> str | None:
    """'GB 812 3112 85' -> '812311285' (no country prefix); None when blank or a placeholder."""
    value = _cleaned(text)
    if value is None:
        return None
    digits = value.removeprefix("GB")
    if re.fullmatch(r"\d{12}", digits):
        digits, branch = digits[:9], digits[9:]
    else:
        branch = ""
    if not re.fullmatch(r"\d{9}", digits):
        raise IdentifierProblem(f"'{text.strip()}' is not a UK VAT number (9 digits, or 12 for a branch)")
    if not _vat_checks(digits):
        raise IdentifierProblem(f"'{text.strip()}' fails the VAT number's check digits: probably mistyped")
    return digits + branch


def _vat_checks(digits: str) -> bool:
    total = sum(int(d) * w for d, w in zip(digits[:7], VAT_WEIGHTS, strict=True)) + int(digits[7:])
    return total % 97 == 0 or (total + 55) % 97 == 0


def company_number(text: str) -> str | None:
    """'7962245' -> '07962245', 'sc123456' -> 'SC123456'; None when blank or a placeholder."""
    value = _cleaned(text)
    if value is None:
        return None
    if value.isdigit() and len(value) <= 8:
        value = value.zfill(8)
    if not COMPANY.match(value):
        raise IdentifierProblem(f"'{text.strip()}' is not a Companies House number (8 characters)")
    return value


def charity_number(text: str) -> str | None:
    """'1 089 464' -> '1089464'; None when blank or a placeholder."""
    value = _cleaned(text)
    if value is None:
        return None
    if not CHARITY.match(value):
        raise IdentifierProblem(f"'{text.strip()}' is not a charity number (6-7 digits, or SC/NIC and digits)")
    return value
