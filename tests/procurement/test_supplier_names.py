"""Folding published supplier names, and checking the identifiers some publishers give.

The names are spellings found in the real files (Trafford's 35-character names, Manchester's and
Newcastle's capitals); the expected keys are written out by hand.
"""

from __future__ import annotations

import pytest

from placespend.ingest.suppliers import identifiers
from placespend.ingest.suppliers.names import supplier_name


@pytest.mark.parametrize(("published", "key"), [
    ("CAPITA BUSINESS SERVICES LTD", "capita business services"),
    ("Capita Business Services Limited", "capita business services"),
    ("The Counselling & Family Centre", "counselling and family centre"),
    ("Gtr Mcr Youth Network Ltd (GMYN)", "greater manchester youth network"),
    ("HM REVENUE & CUSTOMS 998873227", "hm revenue and customs"),
    ("P.A. Consulting Services Ltd", "pa consulting services"),
    ("Busy Bees Nurseries Ltd (Sale)", "busy bees nurseries"),
    ("Evac+ Chair International Ltd", "evac and chair international"),
    ("St. Nick’s Kids Inc.", "st nicks kids"),
    ("Caretech Community Services Limited", "caretech community services"),
    ("Westerton Care LLP", "westerton care"),
    ("Collaborative Women UK CIC", "collaborative women uk"),
    ("Voices for Choices CIC Ltd", "voices for choices"),
    ("Charlotte Dale C/O Blake Dale", "charlotte dale"),
])
def test_spellings_of_one_supplier_fold_to_one_key(published, key):
    assert supplier_name(published).key == key


def test_trading_as_keeps_the_legal_and_the_trading_name():
    folded = supplier_name("Nullarbor Ltd T/A Right at Home")
    assert (folded.key, folded.legal, folded.trading) == ("nullarbor t/a right at home", "nullarbor", "right at home")
    assert supplier_name("Kevin May t / a Willows Carpets + Flo").trading == "willows carpets and flo"


def test_folding_says_what_it_did():
    steps = supplier_name("Gtr Mcr Youth Network Ltd (GMYN)").steps
    assert steps == ("bracketed 'gmyn' set aside", "abbreviations read as words (gtr = greater, mcr = manchester)",
                     "legal form dropped (ltd)")
    assert supplier_name("Royal Mail").steps == ()


@pytest.mark.parametrize("published", ["Redacted", "Redacted Personal Information", "REDACTED - Personal Information",
                                       "Redacted Personal Data", "", "   "])
def test_redacted_and_blank_payees_are_no_supplier(published):
    assert supplier_name(published) is None


def test_names_that_only_look_redacted_are_suppliers():
    assert supplier_name("Redactive Publishing Limited").key == "redactive publishing"
    assert supplier_name("Freedom Personal Safety CIC").key == "freedom personal safety"


def test_different_suppliers_keep_different_keys():
    assert supplier_name("Altrincham Grammar School for Boys").key != supplier_name(
        "Altrincham Grammar School for Girls").key
    assert supplier_name("Arriva North East").key != supplier_name("Arriva North West Ltd").key


def test_vat_numbers_are_checked_by_their_check_digits():
    assert identifiers.vat_number("GB812311285") == "812311285"        # VLC (Stairlifts) Limited, in Trafford's file
    assert identifiers.vat_number("GB 812 3112 85") == "812311285"
    assert identifiers.vat_number("812311285001") == "812311285001"    # a branch
    assert identifiers.vat_number("NA") is None and identifiers.vat_number(" ") is None
    with pytest.raises(identifiers.IdentifierProblem, match="check digits"):
        identifiers.vat_number("GB812311286")                          # one digit mistyped
    with pytest.raises(identifiers.IdentifierProblem, match="9 digits"):
        identifiers.vat_number("GB0796642084")                         # ten digits, as Trafford has one


def test_company_and_charity_numbers():
    assert identifiers.company_number("7962245") == "07962245"
    assert identifiers.company_number("sc123456") == "SC123456"
    with pytest.raises(identifiers.IdentifierProblem):
        identifiers.company_number("123456789")
    assert identifiers.charity_number("1 089 464") == "1089464"
    assert identifiers.charity_number("SC012345") == "SC012345"
    with pytest.raises(identifiers.IdentifierProblem):
        identifiers.charity_number("12")
