"""A synthetic Lewisham partnership: every partner's return for 2008-09, calibrated to the published count.

Lewisham's real returns are not public, so the demo invents them. The invention is constrained by what
was published (seed 000 line 633, 832 and 1061): the count of these returns is exactly Table 1's B for
Lewisham, GBP 2.29bn (GBP 2,290,000,000.00: the only Lewisham total printed to 3 significant figures;
seed 001 line 598's "GBP 2.2 billion" is the same figure rounded), its COFOG shares are Table 2's (35%
social protection, 20% health, 20% education) and its body-type shares are Table 3's (55% local
authority, 20% NHS, 15% central government, 10% other). Every line says it is synthetic.

The plan below fixes the money per body and COFOG group (in GBP m, counted in Lewisham, i.e. after
place_share); the seed only decides how each block is split into lines, so every seed gives the same
count. Transfers among reporting partners are eliminated by the count and may be any size; they are set
so that what a funder says it passed on matches what the recipient says it spent from that funder,
except one deliberate mismatch (LSC -> Lewisham College) for the reconciliation to find. Every body
that passes money on in a chain (DCSF -> council -> schools) also reports spend, so no pound is counted
twice. Transfers to bodies that do not report (small charities) count as their spend, unreported.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from placespend.analysis.composition import table3_group
from placespend.app.demo import published

PLACE = "E09000023"
PERIOD = "2008-09"
DEFAULT_SEED = 2009
PILOT = "tp-lewisham"
MILLION = Decimal(1_000_000)
CENT = Decimal("0.01")
POP = "0.0343"  # Lewisham's share of London's population, mid-2008 (261,600 / 7,619,800)
SYNTHETIC_NOTE = "SYNTHETIC demo line, not a real return; calibrated to seed 000 Tables 1-3 for Lewisham"
COLUMNS = (
    "period", "place", "spender", "spender_name", "spender_type", "flow", "amount", "cofog",
    "recipient", "recipient_name", "recipient_type", "funder", "funder_name", "funder_type",
    "capital_revenue", "basis", "recurrence", "place_share", "apportionment", "ring_fenced", "statutory",
    "funding_stream", "theme", "line_id", "notes", "x_synthetic",
)

# id -> (name, type). Public bodies keep their 2008-09 names; invented small bodies say "(synthetic)".
BODIES: dict[str, tuple[str, str]] = {
    "lbl": ("London Borough of Lewisham", "local_authority"),
    "gla": ("Greater London Authority", "local_authority"),
    "tfl": ("Transport for London", "local_authority"),
    "lewisham-pct": ("NHS Lewisham (Lewisham Primary Care Trust)", "nhs"),
    "lewisham-hospital": ("University Hospital Lewisham NHS Trust", "nhs"),
    "kings": ("King's College Hospital NHS Foundation Trust", "nhs"),
    "gstt": ("Guy's and St Thomas' NHS Foundation Trust", "nhs"),
    "slam": ("South London and Maudsley NHS Foundation Trust", "nhs"),
    "las": ("London Ambulance Service NHS Trust", "nhs"),
    "nhs-london": ("NHS London (strategic health authority)", "nhs"),
    "dh": ("Department of Health", "central_government"),
    "dwp": ("Department for Work and Pensions", "central_government"),
    "jcp": ("Jobcentre Plus", "executive_agency"),
    "hmrc": ("HM Revenue & Customs", "central_government"),
    "home-office": ("Home Office", "central_government"),
    "ukba": ("UK Border Agency", "executive_agency"),
    "moj": ("Ministry of Justice", "central_government"),
    "hmcs": ("Her Majesty's Courts Service", "executive_agency"),
    "london-probation": ("London Probation Trust", "justice"),
    "dcsf": ("Department for Children, Schools and Families", "central_government"),
    "clg": ("Communities and Local Government", "central_government"),
    "highways-agency": ("Highways Agency", "executive_agency"),
    "lsc": ("Learning and Skills Council", "ndpb"),
    "hca": ("Homes and Communities Agency", "ndpb"),
    "arts-council": ("Arts Council England", "ndpb"),
    "sport-england": ("Sport England", "ndpb"),
    "lda": ("London Development Agency", "ndpb"),
    "hpa": ("Health Protection Agency", "ndpb"),
    "environment-agency": ("Environment Agency", "ndpb"),
    "esf": ("European Social Fund", "eu"),
    "mpa": ("Metropolitan Police Authority", "police"),
    "lfepa": ("London Fire and Emergency Planning Authority", "fire"),
    "lewisham-college": ("Lewisham College", "education"),
    "lewisham-schools-federation": ("Lewisham Foundation Schools Federation (synthetic)", "education"),
    "academy-trust": ("South London Academies Trust (synthetic)", "education"),
    "phoenix": ("Phoenix Community Housing", "housing"),
    "lq": ("London & Quadrant Housing Trust", "housing"),
    "big-lottery": ("Big Lottery Fund", "lottery"),
    "deptford-advice": ("Deptford Advice Centre (synthetic)", "third_sector"),
    "ravensbourne-trust": ("Ravensbourne Community Trust (synthetic)", "third_sector"),
    "lewisham-carers": ("Lewisham Carers Network (synthetic)", "third_sector"),
    "brockley-arts": ("Brockley Arts Collective (synthetic)", "third_sector"),
    "lewisham-wellbeing": ("Lewisham Wellbeing Trust (synthetic)", "third_sector"),
    "st-johns-lunch-club": ("St John's Lunch Club (synthetic)", "third_sector"),
    "hilly-fields-youth": ("Hilly Fields Youth Project (synthetic)", "third_sector"),
    "sydenham-garden-group": ("Sydenham Garden Group (synthetic)", "third_sector"),
    "ladywell-music": ("Ladywell Community Music (synthetic)", "third_sector"),
    "bellingham-health-forum": ("Bellingham Health Forum (synthetic)", "third_sector"),
    "catford-enterprise-cic": ("Catford Enterprise CIC (synthetic)", "private"),
}


@dataclass(frozen=True)
class Block:
    """Money one body reports under one COFOG group: `millions` is what it counts in the place."""

    body: str
    cofog: str
    millions: str
    recipient: str = ""  # set: a transfer to this body
    opts: dict[str, str] = field(default_factory=dict)


def _s(body: str, cofog: str, millions: str, **opts: str) -> Block:
    return Block(body, cofog, millions, "", opts)


def _t(body: str, recipient: str, cofog: str, millions: str, **opts: str) -> Block:
    return Block(body, cofog, millions, recipient, opts)


# opts: funder, cap=capital, basis, share + how (apportionment), once=one_off, stream, theme, ring, stat,
# as_= how this return spells the other body's id (ids compare case-insensitively after trimming).
PLAN: tuple[Block, ...] = (
    # London Borough of Lewisham: 1,174m, with the DSG, benefit subsidies and the pooled budget it receives
    _s("lbl", "10.1", "70", stat="yes", theme="health and social care"),
    _s("lbl", "10.1", "25", funder="lewisham-pct", stream="Learning disability pooled budget (s.75)",
       theme="health and social care"),
    _s("lbl", "10.2", "80", stat="yes", theme="health and social care"), _s("lbl", "10.4", "75", stat="yes"),
    _s("lbl", "10.6", "191.1", funder="dwp", stream="Housing Benefit", ring="yes", stat="yes"),
    _s("lbl", "10.6", "3.9", stream="Housing Benefit (not subsidised)"),
    _s("lbl", "10.7", "28", funder="dwp", stream="Council Tax Benefit", stat="yes"),
    _s("lbl", "10.7", "22", funder="clg", stream="Supporting People", ring="yes"),
    _s("lbl", "09.1", "190", funder="dcsf", stream="Dedicated Schools Grant", ring="yes"),
    _s("lbl", "09.1", "15", funder="dcsf", cap="1", once="1", stream="Primary Capital Programme"),
    _s("lbl", "09.2", "130", funder="dcsf", stream="Dedicated Schools Grant", ring="yes"),
    _s("lbl", "09.8", "40"), _s("lbl", "07.4", "5", theme="health and social care"),
    _s("lbl", "01.3", "60", basis="budget"), _s("lbl", "03.6", "8", theme="offender management"),
    _s("lbl", "04.5", "10"), _s("lbl", "04.5", "10", cap="1"), _s("lbl", "05.1", "30", stat="yes"),
    _s("lbl", "06.1", "90", cap="1", stream="Decent Homes", theme="assets and energy"),
    _s("lbl", "06.1", "30"), _s("lbl", "06.2", "25"), _s("lbl", "06.4", "6", theme="assets and energy"),
    _s("lbl", "08.1", "18"), _s("lbl", "08.2", "12"),
    _t("lbl", "lewisham-schools-federation", "09.2", "25", funder="dcsf", stream="Dedicated Schools Grant"),
    _t("lbl", "lewisham-pct", "07.2", "8", stream="Community equipment pooled budget (s.75)"),
    _t("lbl", "phoenix", "06.1", "10", cap="1", stream="Decent Homes"),
    _t("lbl", "deptford-advice", "10.7", "1", theme="worklessness"),
    _t("lbl", "ravensbourne-trust", "06.2", "0.8"), _t("lbl", "lewisham-carers", "10.1", "1"),
    _t("lbl", "st-johns-lunch-club", "10.2", "0.045"), _t("lbl", "hilly-fields-youth", "10.4", "0.06"),
    _s("gla", "06.2", "4", share=POP, how="population_proxy", basis="budget"),
    _s("gla", "08.1", "1.5", share=POP, how="population_proxy"),
    _t("gla", "mpa", "03.1", "30", share=POP, how="population_proxy"),
    _t("gla", "lfepa", "03.2", "15", share=POP, how="population_proxy"),
    _s("tfl", "04.5", "60", share=POP, how="population_proxy"),
    _s("tfl", "04.5", "20", cap="1", once="1", share="0.05", how="body_estimate", stream="East London line"),
    # NHS: the PCT commissions from trusts (eliminated), which report Lewisham residents' care
    _s("lewisham-pct", "07.2", "95", funder="dh"), _s("lewisham-pct", "07.1", "45", funder="dh"),
    _s("lewisham-pct", "07.4", "12", funder="dh"), _s("lewisham-pct", "10.1", "10", funder="dh"),
    _s("lewisham-pct", "07.2", "8", funder="lbl", stream="Community equipment pooled budget (s.75)"),
    _t("lewisham-pct", "lewisham-hospital", "07.3", "170", funder="dh"),
    _t("lewisham-pct", "kings", "07.3", "40", funder="dh"),
    _t("lewisham-pct", "gstt", "07.3", "25", funder="dh"),
    _t("lewisham-pct", "slam", "07.3", "35", funder="dh"),
    _t("lewisham-pct", "las", "07.2", "8", funder="dh"),
    _t("lewisham-pct", "lbl", "10.1", "25", funder="dh", stream="Learning disability pooled budget (s.75)"),
    _t("lewisham-pct", "lewisham-wellbeing", "07.4", "3.2", funder="dh"),
    _t("lewisham-pct", "bellingham-health-forum", "07.4", "0.3", funder="dh"),
    _s("lewisham-hospital", "07.3", "150", funder="lewisham-pct", as_=" Lewisham-PCT"),
    _s("lewisham-hospital", "07.2", "20", funder="lewisham-pct", as_="Lewisham-PCT"),
    _s("lewisham-hospital", "07.3", "10", funder="nhs-london", stream="Education and training levy"),
    _s("kings", "07.3", "40", funder="lewisham-pct", share="0.045", how="body_estimate"),
    _s("gstt", "07.3", "25", funder="lewisham-pct", share="0.02", how="body_estimate"),
    _s("slam", "07.3", "35", funder="lewisham-pct", share="0.2", how="body_estimate",
       theme="health and social care"),
    _s("las", "07.2", "8", funder="lewisham-pct", share=POP, how="population_proxy"),
    _t("dh", "lewisham-pct", "07.2", "468.5"),
    # Central government: departments, agencies, NDPBs and justice bodies (Table 3 "Central Government")
    _s("dwp", "10.2", "118", share="0.0297", how="indicator", stream="State Pension and Pension Credit"),
    _s("dwp", "10.1", "60", share="0.0352", how="indicator", stream="Disability benefits"),
    _t("dwp", "lbl", "10.6", "191.1", as_="LBL", stream="Housing Benefit subsidy"),
    _t("dwp", "lbl", "10.7", "28", as_="LBL", stream="Council Tax Benefit subsidy"),
    _t("dwp", "jcp", "10.5", "50"),
    _s("jcp", "10.5", "38", funder="dwp", stream="Jobseeker's Allowance", theme="worklessness"),
    _s("jcp", "04.1", "12", funder="dwp", basis="estimate", share="0.3", how="body_estimate",
       theme="worklessness"),
    _s("hmrc", "10.4", "40", how="central_figure", stream="Child Benefit"),
    _s("hmrc", "10.4", "33.595", how="central_figure", basis="estimate", stream="Tax credits"),
    _s("ukba", "10.7", "4", share="0.05", how="body_estimate", stream="Asylum support"),
    _t("moj", "hmcs", "03.3", "6.505"),
    _t("moj", "london-probation", "03.4", "7", theme="offender management"),
    _s("hmcs", "03.3", "6.505", funder="moj", share="0.25", how="body_estimate"),
    _s("london-probation", "03.4", "7", funder="moj", share="0.04", how="body_estimate",
       theme="offender management"),
    _t("home-office", "mpa", "03.1", "60", share="0.036", how="body_estimate", stream="Police grant"),
    _t("dcsf", "lbl", "09.1", "360", stream="Dedicated Schools Grant"),
    _t("dcsf", "academy-trust", "09.2", "18", stream="Academy recurrent grant"),
    _t("clg", "lbl", "10.7", "22", stream="Supporting People"),
    _t("clg", "lfepa", "03.2", "7", stream="Fire revenue grant"),
    _s("highways-agency", "04.5", "2.5", cap="1", share="0.02", how="body_estimate"),
    _s("lsc", "09.4", "10", share="0.2", how="body_estimate", stream="Train to Gain"),
    _t("lsc", "lewisham-college", "09.4", "31", stream="Further education participation"),
    _s("hca", "06.1", "5", cap="1"),
    _t("hca", "phoenix", "06.1", "4", cap="1", stream="Social housing grant"),
    _s("arts-council", "08.2", "0.8", stream="Creative Partnerships"),
    _t("arts-council", "brockley-arts", "08.2", "0.6"), _t("arts-council", "ladywell-music", "08.2", "0.025"),
    _s("sport-england", "08.1", "0.4"),
    _s("lda", "04.1", "2", funder="esf", share=POP, how="population_proxy", theme="worklessness"),
    _s("lda", "04.1", "1", share=POP, how="population_proxy", theme="worklessness"),
    _t("lda", "ravensbourne-trust", "06.2", "0.4"), _t("lda", "catford-enterprise-cic", "04.1", "0.15"),
    _s("hpa", "07.4", "1.5", share="0.0051", how="population_proxy"),
    _s("environment-agency", "05.3", "1.2", cap="1", once="1", share="0.01", how="body_estimate"),
    # Other: police, fire, schools and college, housing associations, lottery and voluntary bodies
    _s("mpa", "03.1", "60", funder="home-office", share="0.036", how="body_estimate",
       theme="offender management"),
    _s("mpa", "03.1", "25", funder="gla", share="0.036", how="body_estimate"),
    _s("mpa", "03.1", "5", funder="gla", share=POP, how="population_proxy"),
    _s("mpa", "03.1", "10", cap="1", share=POP, how="population_proxy"),
    _s("lfepa", "03.2", "15", funder="gla", share="0.035", how="body_estimate"),
    _s("lfepa", "03.2", "7", funder="clg", share="0.035", how="body_estimate"),
    _s("lewisham-college", "09.4", "30", funder="lsc", stream="Further education participation"),
    _s("lewisham-schools-federation", "09.2", "25", funder="lbl", as_="LBL",
       stream="Dedicated Schools Grant"),
    _s("academy-trust", "09.2", "18", funder="dcsf"),
    _s("phoenix", "06.1", "10", cap="1", funder="lbl", stream="Decent Homes", theme="assets and energy"),
    _s("phoenix", "06.1", "4", cap="1", funder="hca"), _s("phoenix", "06.1", "6.59"),
    _s("lq", "06.1", "5", share="0.03", how="body_estimate"),
    _s("lq", "06.1", "3", share="0.02", how="body_estimate", place="E09000011"),  # Greenwich: out of scope
    _t("big-lottery", "deptford-advice", "10.7", "0.8"),
    _t("big-lottery", "sydenham-garden-group", "05.4", "0.03"),
    _s("lewisham-wellbeing", "07.4", "3.2", funder="lewisham-pct"),
    _s("deptford-advice", "10.7", "1", funder="lbl", theme="worklessness"),
    _s("deptford-advice", "10.7", "0.8", funder="big-lottery"),
    _s("ravensbourne-trust", "06.2", "0.8", funder="lbl"),
    _s("ravensbourne-trust", "06.2", "0.4", funder="lda"),
    _s("lewisham-carers", "10.1", "1", funder="lbl"),
    _s("brockley-arts", "08.2", "0.6", funder="arts-council"),
)


def _counted(amount: Decimal, share: Decimal) -> Decimal:
    return (amount * share).quantize(CENT, rounding=ROUND_HALF_UP)


def _amount_for(counted: Decimal, share: Decimal) -> Decimal:
    """The whole-body amount whose share, rounded to the penny, is `counted` (a share < 1 always has one)."""
    if share == 1:
        return counted
    amount = (counted / share).quantize(CENT, rounding=ROUND_HALF_UP)
    while _counted(amount, share) < counted:
        amount += CENT
    while _counted(amount, share) > counted:
        amount -= CENT
    return amount


def _split(pence: int, rng: random.Random) -> list[int]:
    """Split a block into a few lines of random size (integer pence, so the parts add up exactly)."""
    pounds = pence // 100
    count = 1 if pounds < 1_000_000 else rng.randint(1, 3) if pounds < 20_000_000 else rng.randint(3, 7)
    weights = [rng.randint(50, 150) for _ in range(count)]
    parts = [pence * w // sum(weights) for w in weights]
    parts[-1] += pence - sum(parts)
    return parts


def _body_fields(role: str, body: str, spelled: str = "") -> dict[str, str]:
    name, kind = BODIES[body]
    return {role: spelled or body, f"{role}_name": name, f"{role}_type": kind}


def _lines_of(block: Block, rng: random.Random) -> list[dict[str, str]]:
    opts = block.opts
    share = Decimal(opts.get("share", "1"))
    pence = int(Decimal(block.millions) * MILLION * 100)
    base = {"period": PERIOD, "place": opts.get("place", PLACE), **_body_fields("spender", block.body),
            "flow": "transfer" if block.recipient else "spend", "cofog": block.cofog,
            "capital_revenue": "capital" if opts.get("cap") else "revenue",
            "basis": opts.get("basis", "outturn"),
            "recurrence": "one_off" if opts.get("once") else "recurring",
            "place_share": opts.get("share", ""), "apportionment": opts.get("how", ""),
            "ring_fenced": opts.get("ring", ""), "statutory": opts.get("stat", ""),
            "funding_stream": opts.get("stream", ""), "theme": opts.get("theme", ""),
            "notes": SYNTHETIC_NOTE, "x_synthetic": "yes"}
    if block.recipient:
        base.update(_body_fields("recipient", block.recipient, opts.get("as_", "")))
    if "funder" in opts:
        base.update(_body_fields("funder", opts["funder"], "" if block.recipient else opts.get("as_", "")))
    parts = _split(pence, rng) if not block.recipient else [pence]
    return [{**base, "amount": f"{_amount_for(Decimal(p) / 100, share):.2f}"} for p in parts]


def plan_breakdown() -> dict[str, dict[str, Decimal]]:
    """The plan's count in Lewisham, 2008-09: total, by COFOG division and by Table 3 group (in GBP)."""
    in_scope = [b for b in PLAN if b.opts.get("place", PLACE) == PLACE]
    reporters = {b.body for b in in_scope}  # DESIGN.md §4: the spender of any line in scope, of either flow
    out: dict[str, dict[str, Decimal]] = {"total": defaultdict(Decimal), "cofog": defaultdict(Decimal),
                                          "group": defaultdict(Decimal)}
    for block in in_scope:
        if block.recipient in reporters:
            continue  # eliminated: counted where the recipient spends it
        pounds = (Decimal(block.millions) * MILLION).quantize(CENT)
        kind = BODIES[block.recipient or block.body][1]
        out["total"]["total"] += pounds
        out["cofog"][block.cofog[:2]] += pounds
        out["group"][table3_group(kind)] += pounds
    return out


def calibration_targets() -> dict[str, Decimal]:
    """Lewisham's published figures the plan must reproduce: Table 1 B (GBP), Table 2 and 3 shares (%)."""
    figures = {f"{f.table}.{f.measure}": f.value for f in published.published_figures()
               if f.pilot == PILOT and f.value is not None}
    figures["total"] = figures.pop("table1.locally_led") * 1000 * MILLION  # GBP bn as printed -> GBP
    return figures


def check_calibration() -> None:
    """Fail loudly if the plan no longer reproduces the published total to the penny and the shares."""
    targets, plan = calibration_targets(), plan_breakdown()
    total = plan["total"]["total"]
    if total != targets["total"]:
        raise RuntimeError(f"the demo plan counts {total}, the published total is {targets['total']}")
    for key, got in [*((f"table2.cofog_{d}", v) for d, v in plan["cofog"].items()),
                     *((f"table3.{g}", v) for g, v in plan["group"].items())]:
        if key in targets:
            share = (got / total * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            if share != targets[key]:
                raise RuntimeError(f"the demo plan's {key} is {share}%, published {targets[key]}%")


def generate_partnership(seed: int = DEFAULT_SEED) -> dict[str, list[dict[str, str]]]:
    """Each submitting body's return (its own lines, every line with the same columns), seed-deterministic."""
    check_calibration()
    rng = random.Random(seed)
    returns: dict[str, list[dict[str, str]]] = defaultdict(list)
    for block in PLAN:
        returns[block.body].extend(_lines_of(block, rng))
    result = {}
    for body, lines in returns.items():
        rng.shuffle(lines)
        for number, line in enumerate(lines, 1):
            line["line_id"] = f"{body}-{number:04d}"
        used = [c for c in COLUMNS if any(line.get(c) for line in lines)]
        result[body] = [{c: line.get(c, "") for c in used} for line in lines]
    return result


def write_partnership_csvs(folder: Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """One canonical flows CSV per partner (UTF-8; header = the columns that return uses)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for body, lines in generate_partnership(seed).items():
        path = folder / f"{body}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(lines[0]))
            writer.writeheader()
            writer.writerows(lines)
        paths.append(path)
    return paths
