"""The file of the count's questions compiled to SQL (count.compiled_count) is written one way only: the schema
version, then each variant's questions, keys sorted, one space of indent, a newline at the end, so that
`make count-sql` rewrites it with a diff of the questions that changed and nothing else."""

from __future__ import annotations

from importlib import resources

from placespend.count.compiled_count import SQL_FILE, CompiledCount, load


def test_as_json_is_sorted_indented_by_one_and_ends_with_a_newline():
    compiled = CompiledCount(7, {"stored_ids": {"pass_through": "SELECT 2", "cells": "SELECT 1"}})
    assert compiled.as_json() == (
        '{\n'
        ' "schema_version": 7,\n'
        ' "variants": {\n'
        '  "stored_ids": {\n'
        '   "cells": "SELECT 1",\n'
        '   "pass_through": "SELECT 2"\n'
        '  }\n'
        ' }\n'
        '}\n')


def test_the_stored_file_reads_back_to_the_same_text():
    stored = (resources.files("placespend.count") / "data" / SQL_FILE).read_text(encoding="utf-8")
    compiled = load()
    assert compiled.as_json() == stored
    assert set(compiled.variants) == {"stored_ids", "canonical_ids"}
