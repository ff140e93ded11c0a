"""The ``collectscore`` command line (typer + rich)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ._errors import ConfigError, ContractError

if TYPE_CHECKING:
    import pandas as pd

    from ._data import Dataset
    from ._validation import ValidationReport
    from .synthetic import SampleConfig, SampleSummary

app = typer.Typer(
    name="collectscore",
    help="Open-banking signals, propensity to pay and compliant contact recommendations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Exit codes: 0 fine, 1 unexpected failure, 2 bad input or arguments.
EXIT_BAD_INPUT = 2


def _out() -> Console:
    # soft wrap: long lines stay whole, so scripts and logs can search them
    return Console(highlight=False, soft_wrap=True)


def _err() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


@app.command()
def sample(
    out: Annotated[Path, typer.Option(help="Folder to write the tables into.")],
    debtors: Annotated[int, typer.Option(help="Number of debtors.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same bytes).")] = 0,
    chunk_debtors: Annotated[
        int, typer.Option(help="Debtors generated per chunk (bounds memory; output is the same).")
    ] = 20_000,
    with_categories: Annotated[
        bool, typer.Option(help="Also write the true category column into transactions.")
    ] = False,
) -> None:
    """Generate realistic synthetic data: all four tables plus ground truth in truth/."""
    from .synthetic import SampleConfig

    config = SampleConfig(debtors=debtors, seed=seed, with_categories=with_categories)
    summary = write_sample_with_progress(config, out, chunk_debtors=chunk_debtors)
    _out().print(f"wrote synthetic data for {debtors:,} debtors (seed {seed}) to {out}")
    _print_counts(summary)


def write_sample_with_progress(
    config: SampleConfig, out: Path, *, chunk_debtors: int = 20_000
) -> SampleSummary:
    """``write_sample`` with a rich progress bar on standard error."""
    from .synthetic import write_sample

    columns = (
        TextColumn("[bold]generating"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("debtors"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=_err(), transient=True) as progress:
        task = progress.add_task("sample", total=config.debtors)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return write_sample(config, out, chunk_debtors=chunk_debtors, progress=advance)


def _print_counts(summary: object) -> None:
    counts = getattr(summary, "rows", None)
    if not isinstance(counts, dict):
        return
    table = Table(title=None, show_edge=False)
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in counts.items():
        table.add_row(name, f"{n:,}")
    _out().print(table)


@app.command()
def validate(
    data: Annotated[
        Path, typer.Argument(help="Data folder: one file per table (see the contract).")
    ],
) -> None:
    """Check a data folder against the contract; list every problem with its fix."""
    from ._io import read_dir
    from ._validation import validate_dataset

    raw = read_dir(data, require=("transactions", "debtors"))
    _, report = validate_dataset(raw)
    print_validation(report)
    _out().print(f"[green]valid[/green]: {data} satisfies the collectscore data contract")


def print_validation(report: ValidationReport, console: Console | None = None) -> None:
    """A compact table of what validation read, kept, dropped and converted; then warnings."""
    console = console or _out()
    table = Table(show_edge=False)
    for name, justify in (
        ("table", "left"),
        ("file", "left"),
        ("rows", "right"),
        ("duplicates", "right"),
        ("ignored columns", "left"),
        ("converted", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for r in report.tables.values():
        table.add_row(
            r.table,
            Path(r.source).name if r.source else "(frame)",
            f"{r.rows_out:,}",
            f"{r.duplicates_dropped:,}",
            ", ".join(r.extra_columns) or "-",
            ", ".join(r.coerced) or "-",
        )
    console.print(table)
    for warning in report.warnings:
        console.print(f"[yellow]warning[/yellow]: {warning}")


def _read_validated(data: Path, require: tuple[str, ...] = ("transactions", "debtors")) -> Dataset:
    from ._io import read_dir
    from ._validation import validate_dataset

    validated, report = validate_dataset(read_dir(data, require=require))
    for warning in report.warnings:
        _err().print(f"[yellow]warning[/yellow]: {warning}")
    return validated


def _write_frame(frame: pd.DataFrame, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".csv":
        frame.to_csv(out)
    elif out.suffix.lower() == ".parquet":
        frame.to_parquet(out)
    else:
        raise ConfigError(f"--out must end in .parquet or .csv; got '{out.name}'")


@app.command()
def features(
    data: Annotated[Path, typer.Argument(help="Data folder (transactions and debtors at least).")],
    out: Annotated[
        Path, typer.Option(help="Where to write the features (.parquet or .csv).")
    ] = Path("features.parquet"),
) -> None:
    """Build the point-in-time features: one row per debtor snapshot."""
    from .features import build_features

    dataset = _read_validated(data)
    with _err().status("building features"):
        table = build_features(
            dataset.transactions,
            dataset.debtors,
            contacts=dataset.contacts,
            payments=dataset.payments,
        )
    _write_frame(table.reset_index(), out)
    _out().print(f"wrote {table.shape[1]} features for {len(table):,} debtor snapshots to {out}")


@app.command()
def signals(
    data: Annotated[Path, typer.Argument(help="Data folder (transactions and debtors at least).")],
    out: Annotated[Path, typer.Option(help="Capacity signals (.parquet or .csv).")] = Path(
        "signals.parquet"
    ),
    events: Annotated[
        Path | None, typer.Option(help="Also write the monitoring events here.")
    ] = None,
) -> None:
    """Capacity signals (funds now, next income, income-drop alert) and monitoring events."""
    from .features import capacity_signals, monitoring_events

    dataset = _read_validated(data)
    table = capacity_signals(dataset.transactions, dataset.debtors)
    _write_frame(table.reset_index(), out)
    _out().print(
        f"{int(table['has_funds'].sum()):,} of {len(table):,} debtor snapshots have funds above "
        f"their threshold; {int(table['income_drop_alert'].sum()):,} income-drop alerts; "
        f"written to {out}"
    )
    if events is not None:
        found = monitoring_events(dataset.transactions, dataset.debtors)
        _write_frame(found, events)
        counts = found["event"].value_counts()
        summary = ", ".join(f"{name} {n:,}" for name, n in counts.items()) or "none"
        _out().print(f"events: {summary}; written to {events}")


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Working folder for the demo's data.")] = Path(
        "build/demo"
    ),
    debtors: Annotated[int, typer.Option(help="Number of synthetic debtors.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
) -> None:
    """Run the main job end to end on the embedded defaults."""
    from ._demo import DemoConfig, run_demo

    run_demo(DemoConfig(out=out, debtors=debtors, seed=seed), console=_out())


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the app and turns every failure into a readable message."""
    debug = os.environ.get("COLLECTSCORE_DEBUG", "") not in ("", "0")
    try:
        # standalone mode: typer reports usage errors itself (exit code 2) and exits
        app(args=argv, prog_name="collectscore")
    except (ContractError, ConfigError) as exc:
        if debug:
            raise
        _err().print(f"[red]error[/red]: {exc}", soft_wrap=True)
        sys.exit(EXIT_BAD_INPUT)
    except Exception as exc:
        if debug:
            raise
        _err().print(
            f"[red]unexpected error[/red] ({type(exc).__name__}): {exc}\n"
            "Set COLLECTSCORE_DEBUG=1 to see the full traceback, and please report it.",
            soft_wrap=True,
        )
        sys.exit(1)
