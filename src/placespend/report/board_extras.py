"""The board report's sections beyond the count and the analyses: deep-dive results, insight highlights, assets
and capital (each only where the workspace has them), and the sources with their licences."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from placespend.domain.vocabulary import body_type_name
from placespend.report.board_charts import Bars, Ranges
from placespend.report.board_layout import Section, Table
from placespend.report.deepdive_report import money, num, pct

KINDS = {"savings": "savings register", "cba": "cost-benefit case", "journeys": "customer journeys",
         "segments": "cohorts"}
OGL = ("Figures from HM Treasury, the Office for National Statistics and other public bodies are Crown copyright "
       "or public sector information, used under the Open Government Licence v3.0 with the credits below.")


def deepdive_section(deep: dict[str, Any] | None) -> Section | None:
    """The savings register with its ranges, the cost-benefit analysis, customer journeys and cohorts, as
    `placespend deepdive savings`, `placespend cba`, `deepdive journey` and `deepdive cohorts` give them."""
    if not deep:
        return None
    parts = [name for key, name in (("savings", "savings"), ("cba", "cost-benefit"), ("journeys", "journeys"),
                                    ("cohorts", "cohorts")) if deep.get(key)]
    section = Section("deepdive", "Deep dive: " + (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1
                                                   else "".join(parts) or "inputs"))
    if stored := deep.get("stored"):
        section.paragraphs.append("From the inputs kept for the place on the Deep dives page: " + "; ".join(
            f"{KINDS.get(i['kind'], i['kind'])} '{i['name']}' (input {i['input_id']}, version {i['version']}, "
            f"{i['made_at'][:10]})" for i in stored) + ".")
    if s := deep.get("savings"):
        t = s["total"]
        section.paragraphs.append(
            f"Savings register {s['years'][0]} to {s['years'][-1]}: central {money(t['central'])}; P10 "
            f"{money(t['p10'])}, P50 {money(t['p50'])}, P90 {money(t['p90'])}. The sum of every low "
            f"({money(t['all_at_worst'])}) and of every high ({money(t['all_at_best'])}) assumes every estimate at "
            "its extreme at once, which is far less likely than the P10-P90 band.")
        section.charts.append(Ranges("Savings by year: central, P10-P90", tuple(s["by_year"])))
        section.tables += [
            Table("Savings by year", (("Year", "text"), ("Central", "money"), ("P10", "money"), ("P50", "money"),
                                      ("P90", "money"), ("Sum of lows", "money"), ("Sum of highs", "money")),
                  [[y["year"], y["central"], y["p10"], y["p50"], y["p90"], y["all_at_worst"], y["all_at_best"]]
                   for y in s["by_year"]]),
            Table("Savings register", (("Id", "text"), ("Saving", "text"), ("Agency", "text"), ("Low", "money"),
                                       ("Central", "money"), ("High", "money"), ("From", "text"), ("Status", "text"),
                                       ("Over the horizon", "money")),
                  [[e["id"], e["description"], e["agency"], e["low"], e["central"], e["high"], e["start_year"],
                    e["status"].replace("_", " "), e["over_horizon"]] for e in s["entries"]])]
        section.paragraphs += s["warnings"]
    if c := deep.get("cba"):
        payback = c["payback_year"] if c["payback_year"] is not None else "never"
        section.paragraphs.append(
            f"Cost-benefit analysis at a discount rate of {pct(c['discount_rate'])}, optimism bias "
            f"{pct(c['optimism_bias'])}, deadweight {pct(c['deadweight'])}: NPV {money(c['npv'])}, "
            f"BCR {num(c['bcr'])}, ROI {pct(c['roi'])}, payback year {payback}.")
        if m := c.get("monte_carlo"):
            section.paragraphs.append(
                f"Monte Carlo ({m['draws']} draws, seed {m['seed']}, {m['distribution']}): NPV P10 "
                f"{money(m['npv']['p10'])}, P50 {money(m['npv']['p50'])}, P90 {money(m['npv']['p90'])}; "
                f"probability NPV > 0 {pct(m['probability_npv_positive'])}.")
        section.tables.append(Table(
            "Who invests and who benefits (present values)",
            (("Agency", "text"), ("Invests", "money"), ("Benefits", "money"), ("Net", "money"),
             ("Balancing transfer", "money")),
            [[a["agency"], a["pv_investment"], a["pv_benefit"], a["npv"], c["balancing_transfers"].get(a["agency"])]
             for a in c["agencies"]]))
        section.paragraphs += c["warnings"]
    for journey in deep.get("journeys") or []:
        _journey(section, journey)
    if cohorts := deep.get("cohorts"):
        _cohorts(section, cohorts)
    section.paragraphs += deep.get("warnings", [])
    return section


def _journey(section: Section, j: dict[str, Any]) -> None:
    """Seed 000 §5.2's journey: who pays at each stage, the repeated contacts and what could be avoided."""
    section.paragraphs.append(
        f"Customer journey '{j['journey']}': {money(j['total'])} across {j['agencies']} agencies and {j['contacts']} "
        f"contacts; repeated contacts {money(j['repeat_cost'])}, avoidable stops {money(j['avoidable_cost'])}.")
    stages = j["stages"]
    section.charts.append(Bars(f"{j['journey']}: cost at each stage", tuple(s["stage"] for s in stages),
                               (("Cost", tuple(s["cost"] for s in stages)),)))
    section.tables += [
        Table(f"{j['journey']}: who pays at each stage",
              (("Stage", "text"), ("Cost", "money"), ("Stops", "number"), ("Agencies", "text"),
               ("Satisfaction (1-5)", "ratio")),
              [[s["stage"], s["cost"], s["stops"], ", ".join(s["agencies"]), s["satisfaction"]] for s in stages]),
        Table(f"{j['journey']}: cost by agency", (("Agency", "text"), ("Cost", "money")),
              [[agency, amount] for agency, amount in j["by_agency"].items()])]


def _cohorts(section: Section, c: dict[str, Any]) -> None:
    """Seed 000 §5.3's cohorts: what each segment costs against the baseline, and the saving of the moves."""
    moves = "; ".join(f"{num(m['number'], 0)} from {m['from']} to {m['to']}" for m in c["moves"])
    section.paragraphs.append(
        f"Cohorts: {money(c['total'])} in all; unit costs against the baseline '{c['baseline']}'." + (
            f" Moving {moves} saves {money(c['saving'])} ({money(c['total_after'])} after)." if moves else ""))
    section.charts.append(Bars("Cohorts: cost of each segment", tuple(s["segment"] for s in c["segments"]),
                               (("Cost", tuple(s["cost"] for s in c["segments"])),)))
    section.tables.append(Table(
        "Cohorts", (("Segment", "text"), ("Unit cost", "money"), ("Count", "number"), ("Cost", "money"),
                    ("Times the baseline", "ratio"), ("Share of cost", "share"), ("Count after moves", "number"),
                    ("Cost after moves", "money")),
        [[s["segment"], s["unit_cost"], s["count"], s["cost"], _finite(s["ratio_to_baseline"]), s["share_of_cost"],
          s["count_after"], s["cost_after"]] for s in c["segments"]]))


def _finite(value: Any) -> Any:
    """A ratio to a baseline that costs nothing is undefined (NaN): shown blank, never written to a workbook."""
    return value if value is None or Decimal(value).is_finite() else None


def insight_section(insight: dict[str, Any] | None) -> Section | None:
    """Segments are counts of areas; linkage results are only what left disclosure control (DESIGN §7)."""
    if not insight:
        return None
    section = Section("insight", "Customer insight highlights")
    if seg := insight.get("segments"):
        k = f", k = {seg['k']}" if seg["k"] else ""
        section.paragraphs.append(f"The latest segmentation of the place's {seg['areas']} LSOAs ({seg['method']}{k}) "
                                  f"from {seg['indicators']}.")
        section.tables.append(Table("Segments", (("Segment", "text"), ("Name", "text"), ("LSOAs", "number")),
                                    [[s["segment"], s["name"], s["areas"]] for s in seg["segments"]]))
    for run in insight.get("linkage", []):
        published = run["published"]
        section.paragraphs.append(
            f"Run {run['run_id']} under agreement {run['agreement_id']} ({run['kind']} of {run['left_owner']} and "
            f"{run['right_owner']}): counts from 1 to {published.get('threshold', 10) - 1} are withheld, with any "
            "other count that would reveal one.")
        section.tables.append(Table(
            f"People known to {run['left_owner']} and {run['right_owner']} ({run['kind']})",
            (("Group", "text"), ("Left only", "number"), ("Both", "number"), ("Right only", "number"),
             ("Total", "number")),
            [[g.get("group"), g.get("left_only"), g.get("both"), g.get("right_only"), g.get("total")]
             for g in published.get("groups", [])], blank="withheld"))
    return section


def assets_section(found: dict[str, Any] | None) -> Section | None:
    """`placespend assets capital`: the count's capital spend by partner, beside each partner's estate."""
    if not found:
        return None
    return Section("assets", "Assets and capital", [
        f"Capital spend in the count: {money(found['total'])}. Estate: {found['extent']['description']}."], [], [
        Table("Capital by partner, beside its estate in the place",
              (("Partner", "text"), ("Name", "text"), ("Capital", "money"), ("Assets", "number"),
               ("Floor area (m²)", "number"), ("Running cost", "money")),
              [[p["partner"], p["name"], p["capital"], (p["estate"] or {}).get("assets"),
                (p["estate"] or {}).get("building_size"), (p["estate"] or {}).get("running_cost")]
               for p in found["partners"]]),
        Table("Capital by partner and COFOG division",
              (("Partner", "text"), ("Body type", "text"), ("COFOG", "text"), ("GBP", "money"), ("Lines", "number")),
              [[r["partner"], body_type_name(r["body_type"] or ""), r["cofog"], r["amount"], r["lines"]]
               for r in found["lines"]])])


def sources_section(data: dict[str, Any]) -> Section:
    sources = data["sources"]
    seed = sources.get("published")
    credits = list(dict.fromkeys([*(row["attribution"] for row in sources["reference"]),
                                  *([seed["attribution"]] if seed else [])]))
    section = Section("sources", "Sources and licences", [
        "Every figure in this report is computed by placespend from the files listed here: the partners' returns "
        "as stored unchanged (SHA-256 of each file) and the reference data with the vintages used.", OGL, *credits])
    section.tables.append(Table(
        "Partners' returns counted", (("Submission", "number"), ("Body", "text"), ("Name", "text"), ("File", "text"),
                                      ("Received", "text"), ("Lines in scope", "number"), ("SHA-256", "text")),
        [[r["submission_id"], r["submitter"], r["submitter_name"], r["file_name"], _when(r["loaded_at"]),
          r["lines_in_scope"], r["content_hash"]] for r in sources["returns"]], blank=""))
    section.tables.append(Table(
        "Reference data used", (("Dataset", "text"), ("Publisher", "text"), ("File", "text"),
                                ("Used (name and vintage)", "text"), ("Licence", "text"), ("SHA-256", "text")),
        [[r["dataset"], r["publisher"], r["file_name"], "; ".join(" ".join(pair) for pair in r["used"]),
          r["licence"], r["content_hash"]] for r in sources["reference"]]))
    if seed:
        section.tables.append(Table("Published figures shown beside the report's own",
                                    (("Source", "text"), ("Publisher", "text"), ("Licence", "text")),
                                    [[seed["dataset"], seed["publisher"], seed["licence"]]]))
    if sources["deepdive_inputs"]:
        section.tables.append(Table("Deep-dive inputs", (("Input", "text"), ("File", "text"), ("Rows", "number"),
                                                         ("SHA-256", "text")),
                                    [[f["kind"], f["file"], f["rows"], f["sha256"]]
                                     for f in sources["deepdive_inputs"]]))
    section.tables.append(Table("Reproduce any figure: each part equals this command's JSON",
                                (("Part", "text"), ("Command", "text")),
                                [[part.replace("_", " "), command] for part, command in data["commands"].items()]))
    section.paragraphs.append(f"Generated {data['generated_at']}.")
    return section


def _when(value: Any) -> str:
    return str(value)[:10] if value is not None else ""
