"""Shared by the people tests: the sharing agreement under which two partners, lbl (adaptations) and pct
(disablement relief), may link the fields the synthetic partners' files carry."""

from __future__ import annotations

import datetime as dt

FIELDS = ("first_name", "surname", "date_of_birth", "postcode", "sex", "x_ward", "x_service")


def agreement_add(agreement_id: str, *, parties: tuple[str, ...] = ("lbl", "pct"), fields: tuple[str, ...] = FIELDS,
                  analysts: tuple[str, ...] = ("analyst",), extra: tuple[str, ...] = ()) -> list[str]:
    """The `insight agreement add` arguments (after `insight`) of a live agreement."""
    review = (dt.date.today() + dt.timedelta(days=200)).isoformat()
    args = ["agreement", "add", agreement_id, "--purpose", "Find eligible non-claimants (seed 000, Bolton)",
            "--legal-basis", "public task", "--review-date", review, "--retention-days", "30"]
    for option, values in (("--party", parties), ("--field", fields), ("--analyst", analysts)):
        for value in values:
            args += [option, value]
    return [*args, *extra]
