"""Benchmarking at national scale: a synthetic ledger generator and the pieces the timing harness shares.

Performance is measured by `benchmarks/` (`make bench`), never by the test suite; the generator lives in the
package so that `placespend bench generate` can build a ledger of any size on any machine.
"""
