"""The resolution's rules and its clustering, on payees written out here: each rule's reach and limits, and
splits that hold against any chain of evidence."""

from __future__ import annotations

from placespend.ingest.suppliers.names import supplier_name
from placespend.procurement import name_rules
from placespend.procurement import resolution as rs


def payees(*rows: tuple[str, str] | tuple[str, str, dict]) -> dict[str, rs.Payee]:
    made = []
    for row in rows:
        partner, published = row[0], row[1]
        extra = row[2] if len(row) > 2 else {}
        folded = supplier_name(published)
        made.append(rs.PayeeRow(partner, published, folded.key, folded.legal, folded.trading, **extra))
    return rs.payees_from(made)


def joined(found: rs.Resolution, a: str, b: str) -> bool:
    return found.supplier_of[supplier_name(a).key] == found.supplier_of[supplier_name(b).key]


def test_names_cut_short_by_a_publisher_join_the_full_name():
    cut = [("trafford", f"Filler Name Number {i:02d} Limited Company X"[:35]) for i in range(10)]
    found = payees(*cut, ("trafford", "Imperial Civil Enforcement Solution"),
                   ("newcastle", "IMPERIAL CIVIL ENFORCEMENT SOLUTIONS LTD"),
                   ("trafford", "Association of Directors of Childre"),
                   ("newcastle", "ASSOCIATION OF DIRECTORS OF PUBLIC HEALTH"))
    assert rs.cut_lengths(cut) == {"trafford": 35}
    evidence = {(e.left, e.right): e.rule for e in name_rules.name_rule_evidence(found)}
    assert evidence[("imperial civil enforcement solution", "imperial civil enforcement solutions")] == "cut short"
    assert not any("childre" in left and "public" in right for left, right in evidence)


def test_uk_co_group_endings_join_other_endings_do_not():
    found = payees(("a", "Rocket Science UK Ltd"), ("b", "ROCKET SCIENCE"), ("a", "Ashtead Plant Hire Co Ltd"),
                   ("b", "ASHTEAD PLANT HIRE"), ("a", "DAC Beachcroft LLP"), ("b", "DAC BEACHCROFT CLAIMS LIMITED"))
    rules = {(e.left, e.right): e.rule for e in name_rules.name_rule_evidence(found)}
    assert rules == {("rocket science", "rocket science uk"): "UK, Co or Group",
                     ("ashtead plant hire", "ashtead plant hire co"): "UK, Co or Group"}


def test_trading_names_and_spaces():
    found = payees(("a", "Nullarbor Ltd T/A Right at Home"), ("b", "RIGHT AT HOME"),
                   ("a", "PRICE WATERHOUSECOOPERS"), ("b", "Price Waterhouse Coopers LLP"))
    rules = {(e.left, e.right): e.rule for e in name_rules.name_rule_evidence(found)}
    assert rules == {("nullarbor t/a right at home", "right at home"): "trading name",
                     ("price waterhouse coopers", "price waterhousecoopers"): "same letters"}


def test_a_vat_number_joins_only_names_sharing_a_word():
    vat = {"vat_number": "155712174"}
    found = payees(("trafford", "Lancashire County Council", vat), ("trafford", "Pear Tree School", vat),
                   ("trafford", "Lancashire County Pension Fund", vat))
    evidence = rs.identifier_evidence(found)
    assert [(e.left, e.right, e.rule) for e in evidence] == [
        ("lancashire county council", "lancashire county pension fund", "VAT number")]
    assert evidence[0].detail == {"identifier": "vat number ending 2174", "shared_words": ["county", "lancashire"]}


def test_a_split_holds_against_a_chain_and_a_later_link_undoes_it():
    found = payees(("a", "Acme Widgets"), ("b", "Acme Widget"), ("c", "Acme Widgetz"))
    chain = [rs.Evidence("acme widget", "acme widgets", "name model", 0.999),
             rs.Evidence("acme widget", "acme widgetz", "name model", 0.995)]
    assert joined(rs.resolve(found, chain, [], 0.99), "Acme Widgets", "Acme Widgetz")
    split = rs.Override(1, rs.SPLIT, "acme widgets", "acme widgetz", "different firms", "tester")
    apart = rs.resolve(found, chain, [split], 0.99)
    assert not joined(apart, "Acme Widgets", "Acme Widgetz")
    assert joined(apart, "Acme Widgets", "Acme Widget")          # the stronger edge came first and stands
    assert [(e.right, why) for e, why in apart.refused] == [
        ("acme widgetz", "split 'acme widgets' / 'acme widgetz' (override 1)")]
    relinked = rs.resolve(found, chain, [split, rs.Override(2, rs.LINK, "acme widgetz", "acme widgets", "merged")],
                          0.99)
    assert joined(relinked, "Acme Widgets", "Acme Widgetz") and not relinked.refused


def test_below_the_threshold_the_model_joins_nothing_and_the_path_explains_a_join():
    found = payees(("a", "Acme Widgets"), ("b", "Acme Widget"), ("c", "Acme Widgetz"))
    chain = [rs.Evidence("acme widget", "acme widgets", "name model", 0.999),
             rs.Evidence("acme widget", "acme widgetz", "name model", 0.95)]
    result = rs.resolve(found, chain, [], 0.99)
    assert not joined(result, "Acme Widgets", "Acme Widgetz")
    both = rs.resolve(found, chain, [], 0.9)
    path = rs.path_between(both, "acme widgets", "acme widgetz")
    assert [(e.left, e.right) for e in path] == [("acme widget", "acme widgets"), ("acme widget", "acme widgetz")]
