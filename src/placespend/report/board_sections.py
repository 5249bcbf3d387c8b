"""The board report's sections, in reading order, from the report's data (`app.board_report.BoardReport.to_dict`).

Every figure shown is one of the data's own (the CLI's JSON), never recomputed; shares beside amounts are the
only arithmetic done here. Seed 000 is the model: the count (Tables 2 and 3 layouts), centre-out against
locally-led (Table 1) with a bridge, concentration, the spectrum of local control (Figure 2), per head (footnote
14) and funding routes with the Audit Commission's loss per hand-over (seed 004).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from placespend.domain.vocabulary import body_type_name
from placespend.report.board_charts import Bars, Curve
from placespend.report.board_extras import assets_section, deepdive_section, insight_section, sources_section
from placespend.report.board_layout import Section, Table, division_name, share
from placespend.report.deepdive_report import headline as deepdive_headline
from placespend.report.deepdive_report import money, pct
from placespend.report.money import short_pounds

TOP = 10
METHOD_NAMES = {"reported": "Reported by the body", "estimated": "Estimated or budgeted",
                "proxied": "Allocated by a proxy"}
GROUP_NAMES = {"local_authority": "Local authorities", "nhs": "NHS", "central_government": "Central government",
               "other": "Other"}


def sections(data: dict[str, Any]) -> list[Section]:
    counted = bool(data["analyses"])
    found = [summary_section(data), count_section(data) if counted else _not_counted(data), estimate_section(data)]
    if counted:
        a = data["analyses"]
        found += [_unless_problem(key, a[key], build) for key, build in (
            ("composition", lambda part: composition_section(part, data["published"])),
            ("concentration", concentration_section), ("local_control", local_control_section),
            ("per_head", per_head_section), ("routes", routes_section))]
    found += [part for part in (deepdive_section(data.get("deepdive")), insight_section(data.get("insight")),
                                assets_section(data.get("assets"))) if part is not None]
    found.append(sources_section(data))
    return found


TITLES = {"composition": "Composition: what the money is spent on and by whom",
          "concentration": "Concentration of spending bodies",
          "local_control": "Degree of local control (seed 000 Figure 2)",
          "per_head": "Per head and need-adjusted (seed 000 footnote 14)",
          "routes": "Funding routes and hand-over losses"}


def _unless_problem(key: str, part: dict[str, Any], build: Callable[[dict[str, Any]], Section]) -> Section:
    return Section(key, TITLES[key], [f"Not computed: {part['problem']}"]) if "problem" in part else build(part)


def _first(part: dict[str, Any]) -> dict[str, Any]:
    return part["places"][0]


def summary_section(data: dict[str, Any]) -> Section:
    """The sentences a board reads first; each figure is shown again, with its workings, in a later section."""
    row, count = _first(data["compare"]), data["count"]
    lines = []
    if data["analyses"]:
        known = count["by_method"]
        returns = len(data["sources"]["returns"])
        lines.append(f"{short_pounds(count['total'])} of public money was counted in {data['name']} in "
                     f"{data['period']} ({money(count['total'])}, {count['lines']:,} lines from {returns} returns), "
                     "each pound once, where it is finally spent.")
        shares = [f"{name} {pct(share(known.get(name), count['total']))}" for name in ("reported", "estimated",
                                                                                         "proxied")]
        lines.append(f"How each pound is known: {'; '.join(shares)}.")
    else:
        lines.append(f"No returns are counted for {data['name']} in {data['period']} yet: this report shows its "
                     "centre-out estimate and the figures published about it.")
    if row["centre_out"] is not None:
        lines.append(f"Centre-out estimate (A): {short_pounds(row['centre_out'])} ({money(row['centre_out'])}).")
    if row["difference"] is not None:
        lines.append(f"Difference 1 - B/A: {pct(row['difference'])} (seed 000 Table 1); the bridge below explains it.")
    if published := row["published"]:
        lines.append(f"Seed 000 Table 1 printed A {short_pounds(published.get('centre_out'))} and B "
                     f"{short_pounds(published.get('locally_led'))}.")
    a = {key: _first(part) for key, part in data["analyses"].items() if "problem" not in part}
    if c := a.get("concentration"):
        lines.append(f"The top 3 of {c['bodies']} spending bodies spend {pct(c['top3_share'])}; HHI {c['hhi']:,.0f} "
                     f"({c['hhi_band']}).")
    if lc := a.get("local_control"):
        lines.append(f"Under local control: {pct(lc['under_local_control_share'])} "
                     f"({short_pounds(lc['under_local_control'])}).")
    if (ph := a.get("per_head")) and ph["per_head"] is not None:
        lines.append(f"Spend per head: {money(ph['per_head'])} (population {ph['population_vintage']}).")
    if r := a.get("routes"):
        lines.append(f"Administrative cost of hand-overs at {pct(r['loss_rate'])} each: "
                     f"{short_pounds(r['admin_cost'])} ({pct(r['admin_cost_share'])} of the count).")
    if deep := data.get("deepdive"):
        lines += deepdive_headline({"theme": None, "journeys": [], "cohorts": None, **deep})
    return Section("summary", f"{data['name']} ({data['place']}), {data['period']}", lines + data["notes"])


def _amount_table(title: str, first: str, amounts: dict[str, Decimal], total: Decimal, name=None) -> Table:
    ordered = sorted(amounts.items(), key=lambda kv: -kv[1])
    columns = ((first, "text"), *(((first.replace("Code", "Name"), "text"),) if name else ()), ("GBP", "money"),
               ("Share", "share"))
    return Table(title, columns, [[key, *([name(key)] if name else []), amount, share(amount, total)]
                                  for key, amount in ordered])


def _bars(title: str, rows: list[tuple[str, Decimal]], unit: str = "money") -> Bars:
    return Bars(title, tuple(label for label, _ in rows), (("GBP" if unit == "money" else "Share",
                                                           tuple(value for _, value in rows)),), unit)  # type: ignore[arg-type]


def count_section(data: dict[str, Any]) -> Section:
    count = data["count"]
    total = count["total"]
    by_cofog = sorted(count["by_cofog"].items(), key=lambda kv: -kv[1])
    by_type = sorted(count["by_spender_type"].items(), key=lambda kv: -kv[1])
    paragraphs = [
        f"Counted spend: {money(total)} from {count['lines']:,} lines (DESIGN §4: spend lines and transfers to bodies "
        "that sent no return; a transfer to a body that reported is eliminated and counted once, where it is spent).",
        f"Transfers eliminated (not counted twice): {money(count['eliminated_transfers'])}. Transfers to bodies that "
        f"sent no return, counted as their spend: {money(count['unreported_transfers'])}.",
    ]
    if count["outturn_detail"]:
        paragraphs.append("Grants inside their council's outturn (shown, not counted): "
                          f"{money(count['outturn_detail'])}.")
    paragraphs += [w["message"] for w in count["overlap_warnings"]]
    charts = [_bars("Counted spend by COFOG division", [(f"{k} {division_name(k)}", v) for k, v in by_cofog]),
              _bars("Who spends it (body type)", [(body_type_name(k).split(" (")[0], v) for k, v in by_type]),
              _bars("How each pound is known", [(METHOD_NAMES.get(k, k), v) for k, v in
                                               sorted(count["by_method"].items(), key=lambda kv: -kv[1])])]
    tables = [
        _amount_table("By COFOG division", "Code", count["by_cofog"], total, division_name),
        _amount_table("By body type", "Code", count["by_spender_type"], total, body_type_name),
        _amount_table("How each pound is known", "Method", count["by_method"], total),
        _amount_table("By how the place's share was obtained (apportionment)", "Apportionment",
                      count["by_apportionment"], total),
        _amount_table("By origin of funds (funder type)", "Origin", count["by_funder_type"], total),
        _amount_table("Capital and revenue", "Kind", count["by_capital_revenue"], total),
        _amount_table("Basis", "Basis", count["by_basis"], total),
        Table("Transfers", (("Item", "text"), ("GBP", "money")),
              [["Eliminated (between reporting bodies)", count["eliminated_transfers"]],
               ["Unreported recipients (counted)", count["unreported_transfers"]],
               ["Grants inside their council's outturn (not counted)", count["outturn_detail"]]]),
    ]
    if count["unreported_recipients"]:
        tables.append(Table("Bodies that sent no return, counted from the transfers they received",
                            (("Recipient", "text"), ("Name", "text"), ("Type", "text"), ("GBP", "money"),
                             ("Lines", "number")),
                            [[r["recipient"], r["name"], body_type_name(r["recipient_type"] or ""), r["amount"],
                              r["lines"]] for r in count["unreported_recipients"]]))
    gaps = [r for r in count["transfer_reconciliation"] if r["gap"]]
    if gaps:
        tables.append(Table("Transfers that do not reconcile (what the funder passed on vs what the recipient reports)",
                            (("Funder", "text"), ("Recipient", "text"), ("Passed on", "money"),
                             ("Recipient reports", "money"), ("Gap", "money"), ("Status", "text")),
                            [[r["funder_id"], r["recipient_id"], r["passed_on"], r["recipient_reports"], r["gap"],
                              r["status"]] for r in gaps]))
    return Section("count", "The count (locally-led, B)", paragraphs, charts, tables)


def _not_counted(data: dict[str, Any]) -> Section:
    return Section("count", "The count (locally-led, B)", [
        f"No partner's return is counted for {data['place']} in {data['period']}." , *data["count"]["notes"],
        "Partners submit returns on the Submissions page or with `placespend ingest`."])


def estimate_section(data: dict[str, Any]) -> Section:
    row, estimate = _first(data["compare"]), data["estimate"]
    printed = {p["measure"]: p["value"] for p in data["published"] if p["table_name"] == "table1"}
    paragraphs, charts, tables = [], [], []
    if "problem" in estimate:
        paragraphs.append(f"No centre-out estimate: {estimate['problem']}")
    else:
        paragraphs.append(f"A allocates HM Treasury's identifiable spending in {estimate['region']} "
                          f"({estimate['vintage']}) to the place by the '{estimate['criteria']}' criteria "
                          f"(DESIGN §5): {money(estimate['total'])}.")
        paragraphs += estimate["notes"]
    tables.append(Table("Seed 000 Table 1: centre-out (A) against locally-led (B)",
                        (("Measure", "text"), ("This report", "money"), ("Published (seed 000)", "money")),
                        [["A, centre-out", row["centre_out"], row["published"].get("centre_out")],
                         ["B, locally-led count", row["locally_led"], row["published"].get("locally_led")]]))
    tables.append(Table("Difference 1 - B/A", (("Measure", "text"), ("This report", "share"),
                                               ("Published (seed 000)", "share")),
                        [["1 - B/A", row["difference"], share(printed.get("difference_printed"), Decimal(100))],
                         ["Over the places compared", data["compare"]["aggregate_difference"], None]]))
    if len(row["a_range"]) > 1:
        tables.append(Table("A under each criteria set", (("Criteria", "text"), ("GBP", "money")),
                            [[name, value] for name, value in row["a_range"].items()]))
    if row["bridge"]:
        tables.append(Table("The bridge: why A and B differ", (("Reason", "text"), ("GBP", "money"),
                                                               ("Explanation", "text")),
                            [[b["reason"], b["amount"], b["explanation"]] for b in row["bridge"]], blank=""))
    if row["by_cofog"]:
        rows = row["by_cofog"]
        charts.append(Bars("Centre-out (A) and count (B) by COFOG division",
                           tuple(f"{r['cofog']} {division_name(r['cofog'])}" for r in rows),
                           (("A, centre-out", tuple(r["centre_out"] for r in rows)),
                            ("B, count", tuple(r["locally_led"] for r in rows)))))
        tables.append(Table("A and B by COFOG division", (("Code", "text"), ("Division", "text"), ("A", "money"),
                                                          ("B", "money"), ("A - B", "money")),
                            [[r["cofog"], division_name(r["cofog"]), r["centre_out"], r["locally_led"], r["gap"]]
                             for r in rows]))
    elif "problem" not in estimate:
        charts.append(_bars("Centre-out estimate by COFOG division",
                            [(f"{k} {division_name(k)}", v) for k, v in estimate["by_cofog"].items()]))
    if "problem" not in estimate:
        tables.append(Table("Indicators the allocation used", (("Indicator", "text"), ("Place", "number"),
                                                                ("Region", "number"), ("Vintage", "text")),
                            [[name, i["place"], i["region"], f"{i['vintage']}{' (nearest)' if i['nearest'] else ''}"]
                             for name, i in estimate["indicators"].items()]))
    return Section("estimate", "Centre-out estimate (A) and the bridge", paragraphs, charts, tables)


def composition_section(report: dict[str, Any], published: list[dict[str, Any]]) -> Section:
    place = _first(report)
    printed = {(p["table_name"], p["measure"]): share(p["value"], Decimal(100)) for p in published}
    table2 = [[name.replace("_", " ").capitalize(), value,
               printed.get(("table2", f"cofog_{report['table2_divisions'][name]}" if name != "total" else
                            "total_printed"))] for name, value in place["table2"].items()]
    table3 = [[GROUP_NAMES.get(name, name), value, printed.get(("table3", name))]
              for name, value in place["table3"].items()]
    columns = (("Share of total", "text"), ("This report", "share"), ("Published (seed 000)", "share"))
    return Section("composition", TITLES["composition"], [
        f"The three largest COFOG divisions ({', '.join(f'{d} {division_name(d)}' for d in place['top3_divisions'])}) "
        f"hold {pct(place['top3_share'])} of the count."],
        [_bars("Share of spend by body group (seed 000 Table 3)", [(r[0], r[1]) for r in table3], "share")],
        [Table("Seed 000 Table 2 layout: social protection, health, education", columns, table2),
         Table("Seed 000 Table 3 layout: share of spend by body group", columns, table3)])


def concentration_section(report: dict[str, Any]) -> Section:
    place = _first(report)
    ranking = place["ranking"]
    return Section("concentration", TITLES["concentration"], [
        f"{place['bodies']} bodies spend the count; the top 3 spend {pct(place['top3_share'])} and the top 10 "
        f"{pct(place['top10_share'])}. Herfindahl-Hirschman index {place['hhi']:,.0f} of 10,000 "
        f"({place['hhi_band']}); {place['multi_division_bodies']} bodies spend in more than one COFOG division.",
        f"HHI: {report['hhi_method']}."],
        [Curve("Cumulative share of the count, bodies largest first", tuple(b["cumulative_share"] for b in ranking),
               "Bodies, largest first", "Cumulative share")],
        [Table(f"The {min(TOP, len(ranking))} largest bodies", (("#", "number"), ("Body", "text"), ("Type", "text"),
                                                                ("GBP", "money"), ("Share", "share"),
                                                                ("Cumulative", "share")),
               [[b["rank"], b["name"] or b["body"], body_type_name(b["body_type"]), b["amount"], b["share"],
                 b["cumulative_share"]] for b in ranking[:TOP]]),
         Table("Small bodies", (("Spending less than", "money"), ("Bodies", "number"), ("GBP", "money"),
                                ("Share", "share")),
               [[s["threshold"], s["bodies"], s["total"], s["share"]] for s in place["small_bodies"]])])


def local_control_section(report: dict[str, Any]) -> Section:
    place = _first(report)
    bands = place["bands"]
    return Section("local_control", TITLES["local_control"], [
        f"Under local control (locally decided or local discretion): {money(place['under_local_control'])} "
        f"({pct(place['under_local_control_share'])}). Lines whose ring-fenced or statutory flags were left blank, "
        f"read as no: {money(place['blank_flags_amount'])}.", f"Rule: {place['rule']}"],
        [_bars("Spend by degree of local control", [(b["label"], b["amount"]) for b in bands])],
        [Table("The spectrum of local control", (("Band", "text"), ("Rule", "text"), ("GBP", "money"),
                                                 ("Share", "share")),
               [[b["label"], b["rule"], b["amount"], b["share"]] for b in bands])])


def per_head_section(report: dict[str, Any]) -> Section:
    place, need = _first(report), report["need_index"]
    backcast = place["backcast"] or {}
    table = Table("Spend per head and need-adjusted per head", (
        ("Counted spend", "money"), ("Population", "number"), ("Per head", "money"),
        ("Per head, back-cast population", "money"), ("Need index", "ratio"), ("Need-adjusted per head", "money")),
        [[place["spend"], place["population"], place["per_head"], backcast.get("per_head"), place["need_index"],
          place["need_adjusted_per_head"]]])
    bars = [(name, value) for name, value in (
        ("Per head", place["per_head"]), ("Per head, back-cast population", backcast.get("per_head")),
        ("Need-adjusted per head", place["need_adjusted_per_head"])) if value is not None]
    need_text = (f"Need index: '{need['indicator']}' {need['vintage']}, relative to {need['reference']}: "
                 f"{need['formula']}." if need["indicator"] else "No need index: the workspace has no need indicator.")
    return Section("per_head", TITLES["per_head"], [
        f"Population '{report['population_indicator']}' {report['population_vintage']}"
        f"{' (nearest vintage to the year)' if report['population_nearest_vintage'] else ''}.", need_text,
        *report["notes"]], [_bars("Spend per head", bars)] if bars else [], [table])


def routes_section(report: dict[str, Any]) -> Section:
    place = _first(report)
    hops = sorted(place["by_hand_overs"].items(), key=lambda kv: int(kv[0]))
    label = {"0": "Spent by its source"}
    return Section("routes", TITLES["routes"], [
        f"Administrative cost at {pct(place['loss_rate'])} lost per hand-over: {money(place['admin_cost'])} "
        f"({pct(place['admin_cost_share'])} of the count).", place["method"]],
        [_bars("Counted spend by hand-overs on its route", [(label.get(k, f"After {k} hand-over{'s' * (k != '1')}"), v)
                                                          for k, v in hops])],
        [Table("Spend by hand-overs", (("Hand-overs", "number"), ("GBP", "money"), ("Share", "share")),
               [[int(k), v, share(v, place["total"])] for k, v in hops]),
         Table(f"The {min(TOP, len(place['paths']))} largest routes", (("Route", "text"), ("COFOG", "text"),
                                                                      ("Hand-overs", "number"), ("GBP", "money"),
                                                                      ("Admin cost", "money")),
               [[" > ".join(p["route"]), p["cofog_division"], p["hand_overs"], p["amount"], p["admin_cost"]]
                for p in place["paths"][:TOP]])])
