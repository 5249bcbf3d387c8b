"""The deep dives' figures as flat tables (rows of one level), for the tables on the pages and their CSV and XLSX
downloads. Every value is one of the figures the CLI prints; nothing is computed here but the flattening.
"""

from __future__ import annotations

from typing import Any

Rows = list[dict[str, Any]]


def _by(name: str, values: dict[str, Any]) -> Rows:
    return [{name: key, "amount": amount} for key, amount in values.items()]


def savings(s: dict[str, Any]) -> dict[str, Rows]:
    return {
        "entries": [{k: v for k, v in e.items()} for e in s["entries"]],
        "by-year": s["by_year"],
        "total": [{"years": f"{s['years'][0]} to {s['years'][-1]}" if s["years"] else "", **s["total"]}],
        **{f"by-{key}": _by(key, s[f"by_{key}"]) for key in ("agency", "status", "basis", "theme")},
    }


def cba(c: dict[str, Any]) -> dict[str, Rows]:
    matrix = [{"investor": investor, "beneficiary": beneficiary, "pv_benefit_credited": amount}
              for investor, row in c["who_invests_who_benefits"].items() for beneficiary, amount in row.items()]
    tables = {
        "agencies": [{**a, "balancing_transfer": c["balancing_transfers"].get(a["agency"])} for a in c["agencies"]],
        "by-agency-year": c["by_agency_year"], "years": c["years"],
        "who-invests-who-benefits": matrix,
        "summary": [{"npv": c["npv"], "bcr": c["bcr"], "roi": c["roi"], "payback_year": c["payback_year"],
                     "pv_investment": c["pv_investment"], "pv_benefit": c["pv_benefit"], **c["net_contribution"]}],
    }
    if c["monte_carlo"]:
        mc = c["monte_carlo"]
        tables["monte-carlo"] = [{"figure": "npv", **mc["npv"]},
                                 {"figure": "bcr", **mc["bcr"]}, {"figure": "payback_year", **mc["payback_year"]}]
    return tables


def journeys(data: dict[str, Any]) -> dict[str, Rows]:
    return {
        "stops": [{"journey": j["journey"], **s} for j in data["journeys"] for s in j["stops"]],
        "stages": [{"journey": j["journey"], **s} for j in data["journeys"] for s in j["stages"]],
        "agencies": [{"journey": j["journey"], "agency": a, "amount": v} for j in data["journeys"]
                     for a, v in j["by_agency"].items()],
    }


def cohorts(c: dict[str, Any]) -> dict[str, Rows]:
    return {"segments": c["segments"], "moves": c["moves"]}


def unit_costs(library: dict[str, Any]) -> dict[str, Rows]:
    return {"costs": library["costs"]}


def deflators(data: dict[str, Any]) -> dict[str, Rows]:
    return {"index": [{"year": year, "index": value} for year, value in data["index"].items()]}


def rules(data: dict[str, Any]) -> dict[str, Rows]:
    return {"rules": data["rules"]}


def themes(report: dict[str, Any]) -> dict[str, Rows]:
    return {
        "themes": [{"theme": t["theme"], "total": t["total"], "share_of_place": t["share_of_place"],
                    "lines": t["lines"], "cofog_divisions": t["cofog_divisions"], "agencies": t["agencies"],
                    **t["inventory_counts"]} for t in report["themes"]],
        "by-cofog": [{"theme": t["theme"], "cofog": d, "amount": a} for t in report["themes"]
                     for d, a in t["by_cofog"].items()],
        "inventory": [{"theme": t["theme"], "kind": kind, **item} for t in report["themes"]
                      for kind, items in t["inventory"].items() for item in items],
    }


BY_KIND = {"savings": savings, "cba": cba, "journeys": journeys, "segments": cohorts, "unit_costs": unit_costs,
           "deflators": deflators, "rules": rules, "themes": themes}


def tables(kind: str, figures: dict[str, Any]) -> dict[str, Rows]:
    return BY_KIND[kind](figures)
