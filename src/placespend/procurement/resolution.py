"""Payees resolved into suppliers: evidence first, then clusters, with users' overrides applied every time.

A *payee* is one folded name (`ingest.suppliers.names`): every spelling that folds to it, from any partner,
is the same supplier by the rule "same name once folded". Payees are then joined by evidence, strongest
first:

1. a user's `link` (a user's `split` forbids the two payees ever ending in one supplier, whatever joins
   them: an edge that would join them is refused and recorded as refused);
2. a shared Companies House or charity number (a registered legal entity);
3. a shared VAT number, or the same supplier account in one partner's ledger, when the two names also
   share a word: a VAT group registration covers several companies (Trafford pays Lancashire County
   Council and its schools under one VAT number) and a finance system reuses an account when a supplier
   is taken over, so the identifier alone is not proof;
4. the name rules (`name_rules`: the same letters, a trading name, a name cut short by its publisher,
   'UK', 'Co' or 'Group' added);
5. the name model (`name_model`): a Fellegi-Sunter match probability at or above the threshold.

Clusters grow edge by edge (highest evidence first, then probability), so each supplier is a tree of
explainable steps: `explain` walks the path between any two of its payees and shows each step's rule or
the comparison levels and weights the model matched.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

LINK, SPLIT = "link", "split"
RULES = ("user link", "company number", "charity number", "VAT number", "supplier account", "same letters",
         "trading name", "cut short", "UK, Co or Group", "name model")
CUT_SHARE = 0.01       # a partner cuts names when at least this share of its names have its longest length
CUT_MINIMUM = 10       # ... and at least this many do
NOT_DISTINCTIVE = frozenset({"and", "of", "the", "for", "in", "t/a", "uk", "limited", "services", "group", "care"})


@dataclass(frozen=True)
class PayeeRow:
    """What the resolution needs of one payment (or of many identical ones)."""

    partner: str
    payee: str
    payee_key: str
    legal: str
    trading: str
    account: str | None = None
    vat_number: str | None = None
    company_number: str | None = None
    charity_number: str | None = None


@dataclass
class Payee:
    """One folded name with everything partners published under it."""

    key: str
    legal: str
    trading: str
    spellings: Counter[str] = field(default_factory=Counter)
    partners: set[str] = field(default_factory=set)
    identifiers: set[str] = field(default_factory=set)   # 'vat:…', 'company:…', 'charity:…', 'account:<partner>:…'
    cut: bool = False                                     # a spelling was cut short at its publisher's limit

    @property
    def words(self) -> set[str]:
        return set(self.key.split()) - NOT_DISTINCTIVE


@dataclass(frozen=True)
class Evidence:
    """Why two payees may be one supplier."""

    left: str
    right: str
    rule: str
    probability: float | None = None
    weight: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"left": self.left, "right": self.right, "rule": self.rule, "probability": self.probability,
                "weight": self.weight, "detail": self.detail}


@dataclass(frozen=True)
class Override:
    override_id: int
    action: str
    left: str
    right: str
    reason: str | None = None
    made_by: str | None = None
    made_at: Any = None


@dataclass
class Resolution:
    payees: dict[str, Payee]
    supplier_of: dict[str, str]                   # payee key -> supplier id (its canonical payee key)
    accepted: list[Evidence]                      # edges inside a supplier
    refused: list[tuple[Evidence, str]]           # edges a split refused, with the reason
    threshold: float
    overrides: list[Override]

    def members(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = defaultdict(list)
        for key, supplier in self.supplier_of.items():
            grouped[supplier].append(key)
        return {supplier: sorted(keys) for supplier, keys in grouped.items()}

    def summary(self) -> dict[str, Any]:
        joined = Counter(e.rule for e in self.accepted)
        return {"names": len(self.payees), "suppliers": len(set(self.supplier_of.values())),
                "spellings": sum(len(p.spellings) for p in self.payees.values()), "threshold": self.threshold,
                "joins_by_rule": {rule: joined[rule] for rule in RULES if joined[rule]},
                "refused_by_split": len(self.refused), "overrides": len(self.overrides)}


def payees_from(rows: Iterable[PayeeRow]) -> dict[str, Payee]:
    rows = list(rows)
    cut = cut_lengths((row.partner, row.payee) for row in rows)
    payees: dict[str, Payee] = {}
    for row in rows:
        payee = payees.get(row.payee_key)
        if payee is None:
            payee = payees[row.payee_key] = Payee(row.payee_key, row.legal, row.trading)
        payee.spellings[row.payee] += 1
        payee.partners.add(row.partner)
        payee.cut = payee.cut or cut.get(row.partner) == len(row.payee)
        for scheme, value in (("vat", row.vat_number), ("company", row.company_number),
                              ("charity", row.charity_number)):
            if value:
                payee.identifiers.add(f"{scheme}:{value}")
        if row.account:
            payee.identifiers.add(f"account:{row.partner}:{row.account}")
    return payees


def cut_lengths(names: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Partners whose finance system cuts names short, and where: Trafford and Manchester at 35 characters,
    Newcastle at 40. A cut shows as a pile-up of names at the partner's longest length."""
    spelled: dict[str, set[str]] = defaultdict(set)
    for partner, name in names:
        spelled[partner].add(name)
    cuts = {}
    for partner, found in spelled.items():
        lengths = Counter(len(name) for name in found)
        longest = max(lengths)
        if lengths[longest] >= max(CUT_MINIMUM, CUT_SHARE * len(found)):
            cuts[partner] = longest
    return cuts


def identifier_evidence(payees: dict[str, Payee]) -> list[Evidence]:
    """Payees sharing a registered number; or a VAT number or supplier account and a distinctive word."""
    holders: dict[str, list[str]] = defaultdict(list)
    for key in sorted(payees):
        for identifier in payees[key].identifiers:
            holders[identifier].append(key)
    found: dict[tuple[str, str], Evidence] = {}
    for identifier, keys in sorted(holders.items()):
        scheme = identifier.split(":", 1)[0]
        rule = {"company": "company number", "charity": "charity number", "vat": "VAT number",
                "account": "supplier account"}[scheme]
        for i, left in enumerate(keys):
            for right in keys[i + 1:]:
                shared = payees[left].words & payees[right].words
                if scheme in ("vat", "account") and not shared:
                    continue
                detail = {"identifier": _shown(identifier)}
                if shared:
                    detail["shared_words"] = sorted(shared)
                found.setdefault((left, right), Evidence(left, right, rule, detail=detail))
    return list(found.values())


def _shown(identifier: str) -> str:
    """'account:trafford-council:3536' -> 'trafford-council supplier account 3536'. A VAT number is shown by its
    last four digits only: a sole trader's VAT number identifies a person."""
    scheme, _, value = identifier.partition(":")
    if scheme == "account":
        partner, _, account = value.partition(":")
        return f"{partner} supplier account {account}"
    if scheme == "vat":
        return f"vat number ending {value[-4:]}"
    return f"{scheme} {value}"


def effective_overrides(overrides: Iterable[Override]) -> list[Override]:
    """The latest override of each pair of payees: a later link undoes an earlier split, and the reverse."""
    latest: dict[frozenset[str], Override] = {}
    for override in sorted(overrides, key=lambda o: o.override_id):
        latest[frozenset((override.left, override.right))] = override
    return sorted(latest.values(), key=lambda o: o.override_id)


def resolve(payees: dict[str, Payee], evidence: Iterable[Evidence], overrides: Iterable[Override],
            threshold: float) -> Resolution:
    active = [o for o in effective_overrides(overrides) if o.left in payees and o.right in payees]
    links = [Evidence(*sorted((o.left, o.right)), "user link",
                      detail={"override": o.override_id, "by": o.made_by, "reason": o.reason})
             for o in active if o.action == LINK]
    splits = [(o.left, o.right, o.override_id) for o in active if o.action == SPLIT]
    candidates = [e for e in evidence if e.left in payees and e.right in payees
                  and (e.rule != "name model" or (e.probability or 0) >= threshold)]
    order = {rule: rank for rank, rule in enumerate(RULES)}
    candidates.sort(key=lambda e: (order[e.rule], -(e.probability or 0), e.left, e.right))
    forest = _Forest(payees)
    accepted: list[Evidence] = []
    refused: list[tuple[Evidence, str]] = []
    for edge in [*links, *candidates]:
        blocker = forest.blocking_split(edge.left, edge.right, splits)
        if blocker is not None:
            refused.append((edge, f"split {blocker[0]!r} / {blocker[1]!r} (override {blocker[2]})"))
            continue
        forest.union(edge.left, edge.right)
        accepted.append(edge)
    return Resolution(payees, forest.canonical(), accepted, refused, threshold, active)


class _Forest:
    """Union-find over payee keys."""

    def __init__(self, payees: dict[str, Payee]) -> None:
        self.payees = payees
        self.parent = {key: key for key in payees}

    def find(self, key: str) -> str:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, left: str, right: str) -> None:
        a, b = self.find(left), self.find(right)
        if a != b:
            self.parent[max(a, b)] = min(a, b)

    def blocking_split(self, left: str, right: str, splits: list[tuple[str, str, int]]) -> tuple[str, str, int] | None:
        a, b = self.find(left), self.find(right)
        if a == b:
            return None
        for x, y, override_id in splits:
            if {self.find(x), self.find(y)} == {a, b}:
                return x, y, override_id
        return None

    def canonical(self) -> dict[str, str]:
        """Each supplier named by its most-paid-to payee (most payments, then alphabetical): stable across runs
        as long as the supplier's main name is."""
        groups: dict[str, list[str]] = defaultdict(list)
        for key in self.payees:
            groups[self.find(key)].append(key)
        supplier_of = {}
        for keys in groups.values():
            head = min(keys, key=lambda k: (-sum(self.payees[k].spellings.values()), k))
            for key in keys:
                supplier_of[key] = head
        return supplier_of


def path_between(resolution: Resolution, left: str, right: str) -> list[Evidence] | None:
    """The chain of accepted evidence joining two payees of one supplier (shortest), or None."""
    if resolution.supplier_of.get(left) != resolution.supplier_of.get(right) or left not in resolution.payees:
        return None
    if left == right:
        return []
    edges: dict[str, list[tuple[str, Evidence]]] = defaultdict(list)
    for edge in resolution.accepted:
        edges[edge.left].append((edge.right, edge))
        edges[edge.right].append((edge.left, edge))
    came: dict[str, tuple[str, Evidence] | None] = {left: None}
    queue = deque([left])
    while queue:
        node = queue.popleft()
        if node == right:
            break
        for other, edge in edges[node]:
            if other not in came:
                came[other] = (node, edge)
                queue.append(other)
    steps = []
    node = right
    while came.get(node) is not None:
        previous, edge = came[node]  # type: ignore[misc]
        steps.append(edge)
        node = previous
    return list(reversed(steps))
