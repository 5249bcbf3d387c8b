"""The bodies and suppliers register: one canonical id per body, every merge audited and reversible.

A *merge* says "id A is the same body as id B": from then on A counts as B everywhere the ledger is read
(see `placespend.engine.bodies_store` for how). Merges are made by hand (`merge`, with a reason) or by a
named rule (`suggest` finds candidates, `apply_suggestions` merges them); each is logged with who, when,
why and how, and `undo` reverses one without touching any other. The ledger's own lines are never changed.

Rules, strongest first: the same registered identifier (Companies House number, charity number, from the
id itself or from the grants file's recipient columns), the same local-authority area (an org-id such as
``GB-LAE-TRF`` whose imported org-id lookup gives the GSS code another body uses as its id), and the same
normalised name (`names.name_key`: case, punctuation, '&'/'and', 'The', Ltd/Limited). The canonical id of a
group is its GSS code, else its registered org-id, else its first id alphabetically.
"""

from __future__ import annotations

import difflib
import getpass
from collections import defaultdict
from dataclasses import dataclass, field

from placespend.app.bodies import names
from placespend.app.place_view import cached
from placespend.domain import vocabulary as v
from placespend.domain.paging import PAGE_SIZE, Page
from placespend.domain.problems import PlacespendError
from placespend.engine import bodies_store
from placespend.engine.bodies_store import Merge, NewMerge
from placespend.engine.workspace import Workspace

RULE_NAMES = {"company": "same company number", "charity_ew": "same charity number",
              "charity_sc": "same charity number", "charity_ni": "same charity number",
              "gss": "same local authority area", "name": "same normalised name"}


@dataclass
class Body:
    body: str
    name: str | None
    body_type: str | None
    lines: int
    aliases: list[str] = field(default_factory=list)


@dataclass
class Suggestion:
    bodies: list[str]   # canonical ids of the group, the one to keep first
    rule: str
    key: str
    names: dict[str, str | None]


def current_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def _edges(ws: Workspace) -> tuple[dict[str, str], dict[str, int]]:
    live = [m for m in bodies_store.merges(ws) if m.live]
    return {m.merged: m.into_body for m in live}, {m.merged: m.merge_id for m in live}


def canonical_of(ws: Workspace, body: str) -> str:
    edges, _ = _edges(ws)
    body = v.normalise_id(body)
    return bodies_store.resolve(edges).get(body, body)


def list_bodies(ws: Workspace, search: str | None = None) -> list[Body]:
    """Canonical bodies with the ids merged into them; `search` filters on id, name or alias."""
    resolved = bodies_store.resolve(_edges(ws)[0])
    rows = {row["body"]: row for row in bodies_store.bodies(ws)}
    out: dict[str, Body] = {}
    for body, row in rows.items():
        root = resolved.get(body, body)
        top = rows.get(root, {"name": None, "body_type": None})
        entry = out.setdefault(root, Body(root, top["name"], top["body_type"], 0))
        entry.lines += int(row["lines"])
        if root != body:
            entry.aliases.append(body)
    needle = (search or "").casefold()
    return [b for b in sorted(out.values(), key=lambda b: b.body)
            if not needle or needle in b.body or needle in (b.name or "").casefold()
            or any(needle in a for a in b.aliases)]


def merge(ws: Workspace, merged: str, into: str, reason: str, by: str | None = None,
          kind: str = "hand", rule: str | None = None) -> int:
    """Record that `merged` is the same body as `into`; returns the merge id. Misuse raises PlacespendError."""
    merged, into = v.normalise_id(merged), v.normalise_id(into)
    if not reason.strip():
        raise PlacespendError("Say why these are the same body (--reason).")
    if merged == into:
        raise PlacespendError(f"'{merged}' cannot be merged into itself.")
    known = {row["body"] for row in bodies_store.bodies(ws)}
    for body in (merged, into):
        if body not in known:
            close = difflib.get_close_matches(body, sorted(known), n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise PlacespendError(f"No body '{body}' in the register.{hint}")
    edges, merge_ids = _edges(ws)
    if merged in edges:
        raise PlacespendError(f"'{merged}' is already merged into '{edges[merged]}' (merge {merge_ids[merged]}); "
                              "undo that merge first.")
    resolved = bodies_store.resolve(edges)
    if resolved.get(into, into) == merged:
        raise PlacespendError(f"'{into}' already counts as '{merged}'; merging back would make a loop.")
    return bodies_store.record_merges(ws, [NewMerge(merged, into, kind, rule, reason.strip(),
                                                    by or current_user())])[0]


def undo(ws: Workspace, merge_id: int, by: str | None = None, reason: str = "") -> Merge:
    """Reverse one merge: the merged id counts as itself again (ids merged into it follow it back)."""
    found = next((m for m in bodies_store.merges(ws) if m.merge_id == merge_id), None)
    if found is None:
        raise PlacespendError(f"There is no merge {merge_id}.")
    if not found.live:
        raise PlacespendError(f"Merge {merge_id} was already undone by {found.undone_by} "
                              f"at {found.undone_at:%Y-%m-%d %H:%M}.")
    bodies_store.record_undo(ws, merge_id, by or current_user(), reason.strip() or "undone")
    return found


def register_page(ws: Workspace, search: str | None = None, page: int | None = None, size: int = PAGE_SIZE
                  ) -> tuple[list[Body], Page]:
    """One page of `list_bodies`. The register is computed once per change of the workspace: at national scale
    it resolves 40,000 bodies and counts their mentions in every line, seconds of work a page view must not
    repeat."""
    every = cached(ws, ("bodies-register",), lambda: list_bodies(ws))
    needle = (search or "").casefold()
    chosen = [b for b in every if not needle or needle in b.body or needle in (b.name or "").casefold()
              or any(needle in a for a in b.aliases)]
    shown = Page.of(page, len(chosen), size)
    return shown.window(chosen), shown


def cached_suggestions(ws: Workspace) -> list[Suggestion]:
    """`suggest`, computed once per change of the workspace (a merge is a change)."""
    return cached(ws, ("bodies-suggestions",), lambda: suggest(ws))


def history(ws: Workspace) -> list[Merge]:
    return bodies_store.merges(ws)


def suggest(ws: Workspace) -> list[Suggestion]:
    """Groups of bodies that the rules say are one body but are not merged yet, strongest rule first."""
    rows = bodies_store.bodies(ws)
    resolved = bodies_store.resolve(_edges(ws)[0])
    display = {row["body"]: row["name"] for row in rows}
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        for register, value in names.identifiers_of(row["body"]):
            groups[register, value].add(row["body"])
        key = names.name_key(row["name"] or "")
        if key:
            groups["name", key].add(row["body"])
    for recipient, charity, company in bodies_store.recipient_identifiers(ws):
        if charity:
            groups["charity_ew", charity.strip().upper()].add(recipient)
        if company:
            groups["company", names.company_number(company)].add(recipient)
    for org_id, gss in bodies_store.orgid_places(ws).items():
        if v.normalise_id(org_id) in display:
            groups["gss", gss].add(v.normalise_id(org_id))
    out: list[Suggestion] = []
    seen: set[frozenset[str]] = set()
    order = list(RULE_NAMES)
    for (register, key), members in sorted(groups.items(), key=lambda item: (order.index(item[0][0]), item[0][1])):
        roots = sorted({resolved.get(b, b) for b in members if b in display}, key=names.preference)
        if len(roots) < 2 or frozenset(roots) in seen:
            continue
        seen.add(frozenset(roots))
        out.append(Suggestion(roots, RULE_NAMES[register], key, {b: display.get(b) for b in roots}))
    return out


def apply_suggestions(ws: Workspace, suggestions: list[Suggestion], by: str | None = None) -> list[int]:
    """Merge each suggested group into its first body, as rule merges, in one transaction."""
    edges, _ = _edges(ws)
    planned: list[NewMerge] = []
    for suggestion in suggestions:
        resolved = bodies_store.resolve(edges)
        target = resolved.get(suggestion.bodies[0], suggestion.bodies[0])
        for body in suggestion.bodies[1:]:
            root = resolved.get(body, body)
            if root == target:
                continue
            planned.append(NewMerge(root, target, "rule", suggestion.rule, f"{suggestion.rule}: {suggestion.key}",
                                    by or current_user()))
            edges[root] = target
            resolved = bodies_store.resolve(edges)
    return bodies_store.record_merges(ws, planned) if planned else []
