"""`placespend insight` commands for people: keygen, pseudonymise, link, overlap, services, unmatched
(DESIGN.md §7). keygen and pseudonymise run on the partner's own machine and never open a workspace, so the
key and the raw records never come near it; nothing here prints a raw value, only row numbers and columns.
link, overlap, unmatched and services open the workspace: they run only under a live sharing agreement and
are audited there (`placespend.app.people_insight`).
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import typer

from placespend.app import people_insight
from placespend.app.bodies.register import current_user
from placespend.app.deepdive import unit_prices
from placespend.app.people_insight import DEFAULT_THRESHOLD, MATCH_THRESHOLD
from placespend.app.pseudonymise import BadKey, TokenFile, key_from_text, new_key_text, owner_reproduces, read_tokens
from placespend.app.pseudonymise import pseudonymise as pseudonymised
from placespend.cli.context import Format, console, errors, fail, guard, print_report, workspace
from placespend.report.money import to_json

InFile = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]
KeyOption = Annotated[Path, typer.Option("--key", exists=True, dir_okay=False, readable=True,
                                         help="The sharing agreement's key file (from `insight keygen`).")]
OutOption = Annotated[Path, typer.Option("--out", dir_okay=False, help="File to write.")]
ByOption = Annotated[str, typer.Option("--by", help="An x_ column to group by, e.g. x_ward.")]
ThresholdOption = Annotated[int, typer.Option("--threshold", help="Disclosure threshold N: counts 1..N-1 are "
                                              f"withheld (N at least {DEFAULT_THRESHOLD}).")]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format (table or json).")]
MatchOption = Annotated[float, typer.Option("--match-threshold", min=0.0, max=1.0,
                                            help="Lowest match probability of a link.")]
AgreementOption = Annotated[str | None, typer.Option(
    "--agreement", help="The sharing agreement to run under (default: the live one covering the owners and fields).")]
LeftOwner = Annotated[str | None, typer.Option("--left-owner", help="Body id owning LEFT (else its x_owner column).")]
RightOwner = Annotated[str | None, typer.Option("--right-owner",
                                                help="Body id owning RIGHT (else its x_owner column).")]
AsOption = Annotated[str | None, typer.Option("--as", help="Who runs it, as named in the agreement (default: your "
                                              "login name); recorded in the sharing audit.")]


def _write_csv(path: Path, fieldnames: list[str], rows: Iterable[dict[str, object]]) -> None:
    """All or nothing: written beside the target and renamed into place only when complete."""
    handle, temporary = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", suffix=".part")
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=fieldnames, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _key(path: Path) -> bytes:
    try:
        return key_from_text(path.read_text(encoding="utf-8", errors="replace"))
    except BadKey as exc:
        raise fail(f"{path.name}: {exc}") from None


def _tokens(path: Path) -> TokenFile:
    read = read_tokens(path.read_bytes(), path.name)
    if not read.report.ok:
        print_report(read.report, "rejected")
        raise typer.Exit(1)
    return read


def keygen(out: OutOption, force: Annotated[bool, typer.Option("--force", help="Overwrite an existing key.")]
           = False) -> None:
    """A new secret key for one sharing agreement, kept by the partners (never by the hub)."""
    if out.exists() and not force:
        raise fail(f"{out} exists; a key is not overwritten without --force (files made with it could no longer "
                   "be linked to new ones).")
    out.write_text(new_key_text(), encoding="utf-8")
    out.chmod(0o600)
    console.print(f"Key written to {out} (readable by you only). Share it only with the agreement's partners.")


def pseudonymise(records: InFile, key: KeyOption, out: OutOption) -> None:
    """Replace every identifier of RECORDS.csv by keyed tokens; record_id and x_ columns pass through."""
    secret = _key(key)
    made = pseudonymised(records.read_bytes(), records.name, secret)
    if not made.report.ok:
        print_report(made.report, "rejected")
        raise typer.Exit(1)
    _write_csv(out, made.fields, made.rows)
    print_report(made.report, "loaded")
    console.print(f"{made.records} records pseudonymised into {out}.")


def _shared(path: Path, owner: str | None) -> people_insight.SharedFile:
    return people_insight.SharedFile(path.name, path.read_bytes(), owner)


def _done(outcome: people_insight.Outcome) -> dict[str, Any]:
    if not outcome.ok:
        for report in outcome.reports:
            if not report.ok:
                print_report(report, "rejected")
        raise typer.Exit(1)
    return outcome.result  # type: ignore[return-value]


@guard
def link(ctx: typer.Context, left: InFile, right: InFile, out: OutOption,
         match_threshold: MatchOption = MATCH_THRESHOLD,
         engine: Annotated[str, typer.Option("--engine", help="duckdb, or spark at scale.")] = "duckdb",
         agreement: AgreementOption = None, left_owner: LeftOwner = None, right_owner: RightOwner = None,
         who: AsOption = None) -> None:
    """Probabilistic linkage of two pseudonymised files: one row per linked pair, each record at most once.

    Runs only under a live sharing agreement covering both owners and every field the files carry, and only
    for an analyst that agreement names; the run is audited in the workspace.
    """
    result = _done(people_insight.link(workspace(ctx), _shared(left, left_owner), _shared(right, right_owner),
                                       who or current_user(), match_threshold, engine, agreement))
    _write_csv(out, ["left_id", "right_id", "match_probability"],
               ({**pair, "match_probability": f"{pair['match_probability']:.6f}"} for pair in result["pairs"]))
    console.print(f"{len(result['pairs'])} linked pairs (of {result['candidate_pairs']} candidate pairs scored) "
                  f"at match probability >= {result['threshold']} written to {out} "
                  f"(run {result['run_id']} under agreement {result['agreement_id']}).")


def _emit(payload: dict[str, object], fmt: Format, rows_key: str) -> None:
    if fmt == Format.json:
        typer.echo(to_json(payload))
        return
    for row in payload[rows_key]:  # type: ignore[attr-defined]
        console.print("  ".join(f"{k}={'withheld' if v is None else v}" for k, v in row.items()), highlight=False)


@guard
def overlap(ctx: typer.Context, left: InFile, right: InFile, by: ByOption, fmt: FormatOption = Format.table,
            threshold: ThresholdOption = DEFAULT_THRESHOLD,
            match_threshold: MatchOption = MATCH_THRESHOLD, agreement: AgreementOption = None,
            left_owner: LeftOwner = None, right_owner: RightOwner = None, who: AsOption = None) -> None:
    """People known to both partners, to the left only and to the right only, by an x_ column of LEFT."""
    _emit(_done(people_insight.overlap(workspace(ctx), _shared(left, left_owner), _shared(right, right_owner), by,
                                       who or current_user(), threshold, match_threshold, agreement)), fmt, "groups")


@guard
def unmatched(ctx: typer.Context, left: InFile, right: InFile, by: ByOption, fmt: FormatOption = Format.table,
              threshold: ThresholdOption = DEFAULT_THRESHOLD,
              match_threshold: MatchOption = MATCH_THRESHOLD,
              list_out: Annotated[Path | None, typer.Option("--list-out", dir_okay=False,
                                                            help="Also write LEFT's unmatched record_ids here "
                                                            "(needs --owner-records and --key).")] = None,
              owner_records: Annotated[Path | None, typer.Option(
                  "--owner-records", exists=True, dir_okay=False,
                  help="The owner's raw records file LEFT was made from: proves you own LEFT.")] = None,
              key: Annotated[Path | None, typer.Option("--key", exists=True, dir_okay=False)] = None,
              agreement: AgreementOption = None, left_owner: LeftOwner = None, right_owner: RightOwner = None,
              who: AsOption = None) -> None:
    """The Bolton case: LEFT's people not found in RIGHT (e.g. adaptations without disablement relief).

    Counts by group are protected for the public; the record list is only for LEFT's owner, who proves it by
    giving the raw records and the key that reproduce LEFT exactly.
    """
    if list_out is not None:
        if owner_records is None or key is None:
            raise fail("--list-out needs --owner-records (the raw file LEFT was made from) and --key.")
        _check_owner(_tokens(left), owner_records, _key(key))
    result = _done(people_insight.unmatched(workspace(ctx), _shared(left, left_owner), _shared(right, right_owner),
                                            by, who or current_user(), threshold, match_threshold, agreement,
                                            owner_proven=list_out is not None))
    if list_out is not None:
        _write_csv(list_out, ["record_id"], ({"record_id": r} for r in result.pop("record_ids")))
        errors.print(f"Record list written to {list_out} (for the owner of {left.name} only).")
    _emit(result, fmt, "groups")


def _check_owner(tokens: TokenFile, owner_records: Path, secret: bytes) -> None:
    report, same = owner_reproduces(tokens, owner_records.read_bytes(), owner_records.name, secret)
    if not report.ok:
        print_report(report, "rejected")
        raise typer.Exit(1)
    if not same:
        raise fail(f"{owner_records.name} with this key does not reproduce {tokens.report.file}: the record list "
                   "is only for the partner that owns the records.")


@guard
def services(ctx: typer.Context,
             files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True)],
             by: ByOption, fmt: FormatOption = Format.table, threshold: ThresholdOption = DEFAULT_THRESHOLD,
             match_threshold: MatchOption = MATCH_THRESHOLD,
             unit_costs: Annotated[Path | None, typer.Option(
                 "--unit-costs", exists=True, dir_okay=False,
                 help="Unit cost library (GMCA layout): costs each record's x_unit_cost_code x x_units.")] = None,
             agreement: AgreementOption = None,
             owner: Annotated[list[str] | None, typer.Option(
                 "--owner", help="The body owning each file, in the files' order (else each file's x_owner).")]
             = None, who: AsOption = None) -> None:
    """People known to 1, 2, ... N services by group, and (with --unit-costs) the cost of their services."""
    owners = list(owner or [])
    if owners and len(owners) != len(files):
        raise fail(f"give one --owner per file ({len(files)}), or none and an x_owner column in each file.")
    prices = None
    if unit_costs is not None:
        prices, report = unit_prices(unit_costs)
        if prices is None:
            print_report(report, "rejected")
            raise typer.Exit(1)
    shared = [_shared(f, owners[i] if owners else None) for i, f in enumerate(files)]
    _emit(_done(people_insight.services(workspace(ctx), shared, by, who or current_user(), threshold,
                                        match_threshold, prices, agreement)), fmt, "groups")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `insight` group."""
    app.command("keygen")(keygen)
    app.command("pseudonymise")(pseudonymise)
    app.command("link")(link)
    app.command("overlap")(overlap)
    app.command("unmatched")(unmatched)
    app.command("services")(services)
