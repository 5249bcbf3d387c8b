"""Run mutmut on a uniform random sample of the mutants, and estimate the whole set's score from it.

Why a sample: the estimate's and the ingest path's 1,786 mutants are reached by tests of 50-85 s each (the real
PESA, ONS and council files), so every mutant run is 5 hours or more of both cores: more than a session has.
Random mutant sampling is the textbook way to cut that cost without biasing the score (Acree 1980, Budd 1980;
Wong and Mathur 1995 found a 10% sample within a few points of the full score): each mutant is equally likely
to be run, so the killed share of the sample estimates the killed share of all, with a stated interval. mutmut's
own order (cheapest tests first) would not do: a partial run is a census of the cheap mutants, not a sample.

Run in mutmut's copy of the checkout (build/mutation-estimate, after `make mutation-estimate` made it):

    python scripts/mutation_sample.py run --size 150 --seed 2026 --children 2
    python scripts/mutation_sample.py summary --size 150 --seed 2026

`run` asks mutmut for every mutant's name, draws the sample (the same names for the same seed and mutants) and
runs `mutmut run NAME ...`; `summary` reads the verdicts mutmut stored and prints the estimate (it can be run
after an interrupted `run`: mutants not yet run are counted as such, not as killed).
"""

from __future__ import annotations

import argparse
import random
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from statsmodels.stats.proportion import proportion_confint

DETECTED = ("killed", "timeout")  # what mutmut's own score counts as caught


def verdicts(mutmut: str) -> dict[str, str]:
    """Every mutant's name and verdict, as `mutmut results --all true` prints them (nothing before generation)."""
    out = subprocess.run([mutmut, "results", "--all", "true"], capture_output=True, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        name, sep, verdict = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            found[name] = verdict
    return found


def generated(mutmut: str) -> dict[str, str]:
    """The mutants' verdicts, generating the mutants first if there are none yet.

    mutmut 3.8.1 has no command that only generates: `mutmut run` is started and interrupted (as Ctrl-C would)
    once it says how many files it mutated; the sample's own `mutmut run NAME ...` then collects the test map."""
    found = verdicts(mutmut)
    if found:
        return found
    run = subprocess.Popen([mutmut, "run", "--max-children", "1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    seen = b""
    assert run.stdout is not None
    while chunk := run.stdout.read1(4096):
        seen = (seen + chunk)[-4096:]
        if b"files mutated" in seen:
            run.send_signal(signal.SIGINT)
            break
    run.wait()
    found = verdicts(mutmut)
    if not found:
        raise SystemExit("mutmut generated no mutants: run this in build/mutation-estimate "
                         "(make mutation-estimate-copy)")
    return found


def sample(names: list[str], size: int, seed: int) -> list[str]:
    """`size` names drawn without replacement; sorted first, so the draw does not depend on mutmut's order.

    For the same seed, a smaller sample is part of a larger one (Python's `random.sample` draws one name at a
    time from a population this size; checked in the run of 2026-12-07 for 150 and 250 of 1,786): a run can be
    cut to a smaller sample without losing what it has run."""
    ordered = sorted(names)
    return sorted(random.Random(seed).sample(ordered, min(size, len(ordered))))


def wilson(detected: int, n: int) -> tuple[float, float]:
    """95% Wilson score interval of a share (statsmodels). Without the finite-population correction, so a little
    wider than a sample drawn without replacement warrants: conservative."""
    if n == 0:
        return 0.0, 1.0
    low, high = proportion_confint(detected, n, alpha=0.05, method="wilson")
    return float(low), float(high)


def module_of(name: str) -> str:
    return name.split(".x", 1)[0].removeprefix("placespend.")


def summary(all_verdicts: dict[str, str], drawn: list[str]) -> str:
    got = Counter(all_verdicts[name] for name in drawn)
    run = sum(n for verdict, n in got.items() if verdict != "not checked")
    detected = sum(got[v] for v in DETECTED)
    low, high = wilson(detected, run)
    lines = [
        f"population: {len(all_verdicts)} mutants; sample: {len(drawn)}; run so far: {run}",
        "verdicts in the sample: " + ", ".join(f"{v} {n}" for v, n in sorted(got.items())),
        f"detected (killed or timed out): {detected} / {run} = {detected / run:.1%}" if run else "nothing run yet",
        f"95% Wilson interval for the whole population: {low:.1%} to {high:.1%}" if run else "",
        "by module (detected / run of the sample):",
    ]
    by_module: dict[str, Counter] = {}
    for name in drawn:
        by_module.setdefault(module_of(name), Counter())[all_verdicts[name]] += 1
    for module, counts in sorted(by_module.items()):
        ran = sum(n for v, n in counts.items() if v != "not checked")
        lines.append(f"  {module}: {sum(counts[v] for v in DETECTED)} / {ran}")
    lines.append("not detected:")
    lines += [f"  {name}: {all_verdicts[name]}" for name in drawn
              if all_verdicts[name] not in (*DETECTED, "not checked")]
    return "\n".join(line for line in lines if line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=("run", "summary", "names"))
    parser.add_argument("--size", type=int, default=150)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--children", type=int, default=2)
    parser.add_argument("--mutmut", default=str(Path(sys.executable).with_name("mutmut")))
    args = parser.parse_args(argv)
    known = generated(args.mutmut)
    drawn = sample(list(known), args.size, args.seed)
    if args.action == "names":
        print("\n".join(drawn))
    elif args.action == "run":
        # mutmut runs a named mutant again even if it has a verdict: name only those it has not run (it drops a
        # verdict itself when the mutant's function changes), so an interrupted run goes on where it stopped.
        waiting = [name for name in drawn if known[name] == "not checked"]
        if waiting:
            subprocess.run([args.mutmut, "run", "--max-children", str(args.children), *waiting], check=False)
        print(summary(verdicts(args.mutmut), drawn))
    else:
        print(summary(known, drawn))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
