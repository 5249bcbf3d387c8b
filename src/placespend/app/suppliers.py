"""Use cases of shared suppliers (collaborative procurement; seed 001 §3.2, chapter 4 and §5.21): read
partners' transaction spend files, resolve their payees into suppliers, show the suppliers several partners
pay, explain any resolution, record users' links and splits, and put a savings range into the deep dives'
savings register. The one entry for the CLI and the API, so both give the same figures.

Reading files is all or nothing: when any file is refused, none is stored. The name model runs on
`resolve`; rules and users' overrides are applied afresh every time suppliers are read, so a link or a
split counts at once.
"""

from __future__ import annotations

import csv
import difflib
import getpass
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from placespend.app.deepdive import user_table
from placespend.deepdive.inputs import SAVINGS, read_savings
from placespend.deepdive.savings import total_savings
from placespend.domain.problems import PlacespendError, Report
from placespend.engine import suppliers_store as store
from placespend.engine.linkage_backend import linkage_database
from placespend.engine.workspace import Workspace
from placespend.ingest.suppliers.names import supplier_name
from placespend.ingest.suppliers.payments import SupplierFile, read_supplier_file
from placespend.procurement import name_model, name_rules
from placespend.procurement import resolution as rs
from placespend.procurement.savings import ID_PREFIX, Discounts, joint_procurement
from placespend.procurement.shared import SpendRow, shared_suppliers

REGISTER_COLUMNS = [column.name for column in SAVINGS.columns]


def _who(who: str | None) -> str:
    return who or getpass.getuser()


def read_files(paths: list[Path], names: list[str] | None = None) -> tuple[list[SupplierFile], list[Report]]:
    """Every file read; the caller stores them only when no report holds an error."""
    files, reports = [], []
    names = names or _display_names(paths)
    for path, name in zip(paths, names, strict=True):
        found, report = read_supplier_file(path, name)
        reports.append(report)
        if found is not None:
            files.append(found)
    return files, reports


def _display_names(paths: list[Path]) -> list[str]:
    """A file's name, with its folder when several files share it (each publisher's '2019-04.csv.gz')."""
    counts = Counter(path.name for path in paths)
    return [f"{path.parent.name}/{path.name}" if counts[path.name] > 1 else path.name for path in paths]


def store_files(ws: Workspace, files: list[SupplierFile], who: str | None = None) -> dict[str, list[str]]:
    """Store read files (a file already stored unchanged is skipped); a file covering the same dates of the
    same body as a stored one replaces it."""
    known = store.content_hashes(ws)
    fresh = [f for f in files if f.content_hash not in known]
    sources = [{"source_key": f.source_key, "file_name": f.file_name, "content_hash": f.content_hash,
                "profile": f.profile, "payments": len(f.payments), "amount": f.amount, "loaded_by": _who(who)}
               for f in fresh]
    tables = [store.payments_table(_columns(f)) for f in fresh]
    replaced = store.replace_sources(ws, sources, tables) if fresh else []
    return {"loaded": [f.file_name for f in fresh],
            "unchanged": [f.file_name for f in files if f.content_hash in known], "replaced": replaced}


def _columns(read: SupplierFile) -> dict[str, list[Any]]:
    """A file's payments column by column, as the store's table lays them out."""
    columns: dict[str, list[Any]] = {name: [] for name in store.PAYMENT_COLUMNS}
    fields = [name for name in store.PAYMENT_COLUMNS if name not in ("source_key", "source_row")]
    for payment in read.payments:
        for name in fields:
            columns[name].append(getattr(payment, name))
        columns["source_row"].append(payment.row)
    columns["source_key"] = [read.source_key] * len(read.payments)
    return columns


def resolve(ws: Workspace, paths: list[Path] | None = None, threshold: float | None = None,
            who: str | None = None, names: list[str] | None = None) -> tuple[dict[str, Any], list[Report]]:
    """Read and store files (all or nothing), then run the name model over every payee and keep its evidence.
    Returns the outcome and each file's report; when a report holds an error nothing is stored or run."""
    if threshold is not None and not 0 < threshold < 1:
        raise PlacespendError(f"The threshold is a match probability between 0 and 1, not {threshold}.")
    files, reports = read_files(paths or [], names)
    result: dict[str, Any] = {"files": [r.to_dict() for r in reports], "stored": None, "summary": None}
    if any(not r.ok for r in reports):
        return result, reports
    if files:
        result["stored"] = store_files(ws, files, who)
    payees = stored_payees(ws)
    if not payees and not files:
        raise PlacespendError("No supplier payments in the workspace: give the partners' spend files to read.")
    evidence, model = name_model.score_names(payees, linkage_database("duckdb"))
    chosen = threshold if threshold is not None else name_model.DEFAULT_THRESHOLD
    found = rs.resolve(payees, _rule_evidence(payees) + evidence, _overrides(ws), chosen)
    summary = found.summary()
    store.save_run(ws, _who(who), chosen, summary, model, [e.to_dict() for e in evidence])
    result["summary"] = summary
    return result, reports


def stored_payees(ws: Workspace) -> dict[str, rs.Payee]:
    """Every named payee of the payments stored, with its spellings, partners and identifiers."""
    rows = [rs.PayeeRow(r["partner"], r["payee"], r["payee_key"], r["legal_name"], r["trading_name"] or "",
                        r["account"], r["vat_number"], r["company_number"], r["charity_number"])
            for r in store.payee_rows(ws)]
    return rs.payees_from(rows)


def _rule_evidence(payees: dict[str, rs.Payee]) -> list[rs.Evidence]:
    return rs.identifier_evidence(payees) + name_rules.name_rule_evidence(payees)


def _overrides(ws: Workspace) -> list[rs.Override]:
    return [rs.Override(o["override_id"], o["action"], o["left_key"], o["right_key"], o["reason"], o["made_by"],
                        o["made_at"]) for o in store.overrides(ws)]


def resolution(ws: Workspace) -> tuple[rs.Resolution, dict[str, Any] | None]:
    """Suppliers as they stand: the latest model run's evidence, the rules and every override, applied now."""
    payees = stored_payees(ws)
    run = store.latest_run(ws)
    evidence = [rs.Evidence(e["left_key"], e["right_key"], e["rule"], e["match_probability"], e["match_weight"],
                            e["detail"]) for e in store.model_evidence(ws)]
    threshold = run["threshold"] if run else name_model.DEFAULT_THRESHOLD
    return rs.resolve(payees, _rule_evidence(payees) + evidence, _overrides(ws), threshold), run


def _status(found: rs.Resolution, run: dict[str, Any] | None) -> dict[str, Any]:
    scored = run["summary"]["names"] if run else 0
    notes = []
    if run is None:
        notes.append("The name model has not run: only identifiers, name rules and overrides join names. Run "
                     "`placespend suppliers resolve`.")
    elif len(found.payees) != scored:
        notes.append(f"{len(found.payees) - scored:+,} names since the name model last ran "
                     f"({run['resolved_at']:%Y-%m-%d %H:%M}); run `placespend suppliers resolve` to score them.")
    return {**found.summary(), "model_run": run["run_id"] if run else None, "notes": notes}


def supplier_names(found: rs.Resolution) -> dict[str, str]:
    """Each supplier shown by the spelling most payments use of its main name."""
    return {supplier: found.payees[supplier].spellings.most_common(1)[0][0]
            for supplier in set(found.supplier_of.values())}


def shared(ws: Workspace, years: list[str] | None = None, min_partners: int = 2,
           include_public: bool = False) -> dict[str, Any]:
    if min_partners < 1:
        raise PlacespendError("--min-partners must be at least 1.")
    found, run = resolution(ws)
    rows, partner_names, periods = _spend(ws, found, years)
    result = shared_suppliers(rows, supplier_names(found), partner_names, periods, min_partners, include_public)
    members = found.members()
    for supplier in result["suppliers"]:
        supplier["names"] = sorted({name for key in members[supplier["supplier"]]
                                    for name in found.payees[key].spellings})
    return {"years": years or store.periods(ws), "resolution": _status(found, run), **result}


def _spend(ws: Workspace, found: rs.Resolution, years: list[str] | None,
           revenue_only: bool = False) -> tuple[list[SpendRow], dict[str, str | None], dict[str, list[str]]]:
    _check_years(ws, years)
    grouped: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
    public: dict[str, str] = {}
    for row in store.spend_rows(ws, years):
        if revenue_only and row["capital_revenue"] != "revenue":
            continue
        supplier = found.supplier_of.get(row["payee_key"]) if row["payee_key"] else None
        grouped[(row["partner"], supplier, row["category"], row["category_scheme"])] += row["amount"]
        if supplier and row["public_type"]:
            public.setdefault(supplier, row["public_type"])
    rows = [SpendRow(p, s, c, scheme, amount, public.get(s) if s else None)
            for (p, s, c, scheme), amount in grouped.items()]
    partners = store.partners(ws, years)
    return rows, {p["partner"]: p["name"] for p in partners}, {p["partner"]: p["periods"] for p in partners}


def _check_years(ws: Workspace, years: list[str] | None) -> None:
    known = store.periods(ws)
    missing = [y for y in years or [] if y not in known]
    if missing:
        raise PlacespendError(f"No supplier payments in {', '.join(missing)}; the workspace has "
                              f"{', '.join(known) or 'none'}.")


def payee_key(found: rs.Resolution, name: str) -> str:
    """The payee a name the user typed folds to, or a clear error with the nearest names."""
    folded = supplier_name(name)
    if folded is None:
        raise PlacespendError(f"'{name}' is not a supplier name (blank or redacted).")
    if folded.key not in found.payees:
        near = difflib.get_close_matches(folded.key, list(found.payees), n=3, cutoff=0.8)
        hint = f" Nearest: {'; '.join(near)}." if near else ""
        raise PlacespendError(f"No supplier named '{name}' (read as '{folded.key}') in the payments read.{hint}")
    return folded.key


def explain(ws: Workspace, left: str, right: str) -> dict[str, Any]:
    """Why two names are one supplier (the chain of evidence), or why not."""
    found, _ = resolution(ws)
    a, b = payee_key(found, left), payee_key(found, right)
    result: dict[str, Any] = {"left": _payee_view(found, a), "right": _payee_view(found, b),
                              "same_supplier": found.supplier_of[a] == found.supplier_of[b],
                              "supplier": found.supplier_of[a], "threshold": found.threshold}
    if a == b:
        result["steps"] = [{"rule": "same name once folded", "left": a, "right": b,
                            "detail": {"folded": a}}]
        return result
    path = rs.path_between(found, a, b)
    if path is not None:
        result["steps"] = [step.to_dict() for step in path]
        return result
    result["steps"] = []
    result["why_not"] = _why_not(ws, found, a, b)
    return result


def _payee_view(found: rs.Resolution, key: str) -> dict[str, Any]:
    payee = found.payees[key]
    spellings = [{"published": name, "payments": count, "folding": list(supplier_name(name).steps)}
                 for name, count in payee.spellings.most_common()]
    return {"key": key, "supplier": found.supplier_of[key], "partners": sorted(payee.partners),
            "cut_short": payee.cut, "spellings": spellings}


def _why_not(ws: Workspace, found: rs.Resolution, a: str, b: str) -> dict[str, Any]:
    left, right = sorted((a, b))
    for edge, reason in found.refused:
        if {edge.left, edge.right} == {left, right}:
            return {"reason": f"joined by {edge.rule}, refused by {reason}", "evidence": edge.to_dict()}
    split = next((o for o in found.overrides if o.action == rs.SPLIT and {o.left, o.right} == {a, b}), None)
    direct = next((e for e in store.model_evidence(ws) if (e["left_key"], e["right_key"]) == (left, right)), None)
    reason: dict[str, Any] = {}
    if split is not None:
        reason["split"] = {"override": split.override_id, "by": split.made_by, "reason": split.reason}
    if direct is not None:
        reason["reason"] = (f"the name model gives {direct['match_probability']:.4f}, below the threshold "
                            f"{found.threshold}")
        reason["evidence"] = {"rule": direct["rule"], "probability": direct["match_probability"],
                              "weight": direct["match_weight"], "detail": direct["detail"]}
    else:
        reason.setdefault("reason", "no identifier or name rule joins them, and the name model scored them below "
                                    f"{name_model.KEPT_FLOOR} or never compared them (blocking: "
                                    + "; ".join(name_model.BLOCKING) + ")")
    return reason


def override(ws: Workspace, action: str, left: str, right: str, reason: str, who: str | None = None) -> dict[str, Any]:
    """Record a user's link or split; it is applied to every later reading of suppliers."""
    if action not in (rs.LINK, rs.SPLIT):
        raise PlacespendError(f"Unknown override '{action}': use link or split.")
    if not reason.strip():
        raise PlacespendError("Say why (--reason): every link and split is kept with its reason.")
    found, _ = resolution(ws)
    a, b = payee_key(found, left), payee_key(found, right)
    if a == b:
        raise PlacespendError(f"'{left}' and '{right}' are the same name once folded ('{a}'): a split cannot "
                              "separate them, and a link is not needed.")
    override_id = store.add_override(ws, action, (a, b), (left, right), reason.strip(), _who(who))
    after, _ = resolution(ws)
    return {"override": override_id, "action": action, "left": a, "right": b,
            "same_supplier": after.supplier_of[a] == after.supplier_of[b],
            "refused": [{"left": e.left, "right": e.right, "rule": e.rule, "because": why}
                        for e, why in after.refused if {e.left, e.right} & {a, b}]}


def overrides(ws: Workspace) -> list[dict[str, Any]]:
    return store.overrides(ws)


def savings(ws: Workspace, discounts: Discounts, years: list[str] | None = None, start_year: int | None = None,
            min_partners: int = 2, register: Path | None = None) -> dict[str, Any]:
    problem = discounts.problem()
    if problem:
        raise PlacespendError(problem)
    found, run = resolution(ws)
    rows, names, periods = _spend(ws, found, years)
    shared_ids = {s["supplier"] for s in shared_suppliers(rows, {}, names, periods, min_partners)["suppliers"]}
    revenue, _, _ = _spend(ws, found, years, revenue_only=True)
    net: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in revenue:
        if row.supplier in shared_ids:
            net[(row.partner, row.supplier)] += row.amount
    addressable: dict[str, Decimal] = defaultdict(Decimal)
    counts: Counter[str] = Counter()
    for (partner, _), amount in net.items():
        if amount > 0:
            addressable[partner] += amount
            counts[partner] += 1
    known = sorted(p for ps in periods.values() for p in ps)
    start = start_year if start_year is not None else (int(known[-1][:4]) + 1 if known else 0)
    result = joint_procurement(dict(addressable), names, dict(counts), discounts, start, periods, min_partners)
    result["resolution"] = _status(found, run)
    if register is not None:
        result["register"] = write_register(register, result["register_rows"])
    return result


def write_register(path: Path, rows: list[dict[str, str]]) -> dict[str, Any]:
    """Put the joint-procurement entries into a savings register CSV (replacing earlier ones, keeping the
    user's own rows as they are), then read it back the way `placespend deepdive savings` does."""
    kept: list[dict[str, str]] = []
    if path.exists():
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            if [c.strip().lower() for c in header] != REGISTER_COLUMNS:
                raise PlacespendError(f"{path.name} does not have the savings register's columns in order "
                                      f"({', '.join(REGISTER_COLUMNS)}); write the entries to a new file instead.")
            kept = [row for row in reader if not (row.get("id") or "").startswith(ID_PREFIX)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=REGISTER_COLUMNS)
        writer.writeheader()
        writer.writerows([*kept, *rows])
    entries, report = read_savings(user_table(path, SAVINGS))
    if not report.ok:
        raise PlacespendError(f"The savings register {path.name} does not read back: "
                              + "; ".join(p.message for p in report.errors))
    totals = total_savings(entries).to_dict()
    return {"file": str(path), "entries": len(entries), "added": len(rows), "kept": len(kept),
            "total": totals["total"], "years": totals["years"]}


def payments(ws: Workspace, name: str, limit: int = 200) -> dict[str, Any]:
    """The payments behind the supplier a name belongs to, each with its file and row."""
    found, _ = resolution(ws)
    key = payee_key(found, name)
    supplier = found.supplier_of[key]
    members = found.members()[supplier]
    return {"supplier": supplier, "names": members,
            "payments": store.payments_of(ws, members, limit), "limit": limit}
