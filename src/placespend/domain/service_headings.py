"""The service headings that RS, RSX and RA share, so budgets and outturns can be compared like for like.

RSX headings are the RO subtotal rows (190 education ... 698 other, 699 total), and RA uses the same numbers
for its subtotal lines, each closing a block of detail lines (110-165 close with 190). RS tables of 2010-11 to
2013-14 print the headings by name only, and their own line numbers changed between years (children's social
care is 390 in 2011-12 but 330 from 2013-14), so RS columns are matched on the heading's name.
"""

from __future__ import annotations

import re

# RSX heading code -> (first, last) RA line numbers of its block, inclusive. 601, 602 and 698 have no detail.
RA_BLOCKS: dict[str, tuple[int, int]] = {
    "190": (110, 190), "290": (210, 290), "330": (310, 330), "360": (332, 360), "390": (361, 392),
    "490": (409, 490), "509": (500, 509), "590": (510, 590), "599": (591, 599), "601": (601, 601),
    "602": (602, 602), "690": (604, 690), "698": (698, 698),
}
# RA subtotal lines: counted through their detail lines instead.
RA_SUBTOTALS = frozenset({"190", "290", "330", "360", "390", "490", "509", "590", "599", "690"})
RA_SERVICE_TOTAL = "799"     # TOTAL SERVICE EXPENDITURE in RA
RSX_SERVICE_TOTAL = "699"    # Total Service Expenditure in RS/RSX

# Normalised heading names (see `heading_key`) -> RSX code.
RS_HEADINGS: dict[str, str] = {
    "education services": "190",
    "highways and transport services": "290", "highways and transport": "290",
    "children social care": "330", "childrens social care": "330",
    "adult social care": "360", "adults social care": "360",
    "public health": "390",
    "housing services gfra only": "490", "housing services": "490",
    "cultural and related services": "509", "cultural services": "509",
    "environmental and regulatory services": "590", "environmental services": "590",
    "planning and development services": "599",
    "police services": "601", "police": "601",
    "fire and rescue services": "602", "fire": "602",
    "central services": "690",
    "other services": "698",
    "total service expenditure": RSX_SERVICE_TOTAL,
}
# RS 2010-11 reports children's and adults' social care as one heading. The crosswalk has no row for it: it
# spans 10.4 (children) and 10.1/10.2/10.7/10.9 (adults), so it counts under division 10, as the RSX crosswalk
# does for adult social care alone (judgement; recorded as cofog_source 'rs_heading').
RS_COMBINED_SOCIAL_CARE = ("social care", "10")


def heading_key(label: str) -> str:
    """'190: Education services' / 'TOTAL SERVICE EXPENDITURE (total of lines 190 to 698)' -> plain name."""
    text = re.sub(r"^\s*\d{3}\s*[:.-]\s*", "", label)
    text = re.sub(r"\(total of lines[^)]*\)", "", text, flags=re.IGNORECASE)
    text = text.lower().replace("&", " and ").replace("'", "").replace("’", "")
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return " ".join(text.split())


def heading_number(label: str) -> str | None:
    match = re.match(r"^\s*(\d{3})\s*[:.-]", label)
    return match.group(1) if match else None


def rsx_heading_of_ra(code: str) -> str | None:
    """The RSX heading whose block holds an RA line (e.g. 332 -> 360), or None for lines outside them."""
    if not code.isdigit():
        return None
    number = int(code)
    return next((heading for heading, (low, high) in RA_BLOCKS.items() if low <= number <= high), None)
