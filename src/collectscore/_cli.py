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

#: The demo's defaults (DemoConfig holds the same values; a test keeps them equal).
DEMO_DEBTORS, DEMO_SEED, DEMO_TRIALS = 3000, 7, 15

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
        frame.to_csv(out, index=False)
    elif out.suffix.lower() == ".parquet":
        frame.to_parquet(out, index=False)
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


train_app = typer.Typer(
    name="train",
    help="Train a model, log it to MLflow and register it as the challenger.",
    no_args_is_help=True,
)
app.add_typer(train_app)

_TRACKING_ROOT_HELP = (
    "Folder of the local MLflow store (mlflow.db and mlruns/); MLFLOW_TRACKING_URI wins when set."
)


def _quiet_mlflow() -> None:
    """MLflow's own INFO lines and pickling warning say nothing a user acts on (debug shows them)."""
    import logging

    if os.environ.get("COLLECTSCORE_DEBUG", "") in ("", "0"):
        for name in ("mlflow", "alembic"):
            logging.getLogger(name).setLevel(logging.ERROR)
        os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")


def _source(
    data: Path | None,
    features: Path | None,
    target: str | None,
    target_means: str,
    protected: str | None,
    id_column: str | None,
    time_column: str | None,
    days_past_due: str | None,
    horizon_days: int,
    *,
    required: bool = True,
) -> object:
    """``ContractData`` for --data, ``FeatureTable`` for --features (exactly one of them)."""
    from collectscore.training import ContractData, FeatureTable

    table_only = {
        "--target": target,
        "--protected": protected,
        "--id": id_column,
        "--time": time_column,
        "--days-past-due": days_past_due,
    }
    if data is not None and features is not None:
        raise ConfigError(
            "give either --data DIR (a contract data folder) or --features TABLE (your own "
            "table), not both"
        )
    if features is not None:
        if not target:
            raise ConfigError(
                "--features needs --target COLUMN: the outcome column (1 = paid, or add "
                "--target-means default when 1 = did not pay)"
            )
        return FeatureTable(
            path=features,
            target=target,
            target_means=target_means,  # type: ignore[arg-type]
            protected=tuple(c.strip() for c in (protected or "").split(",") if c.strip()),
            id=id_column,
            time=time_column,
            days_past_due=days_past_due,
        )
    given = [flag for flag, value in table_only.items() if value]
    if given:
        raise ConfigError(
            f"{', '.join(given)} only apply to a table given with --features TABLE; "
            "with --data DIR the contract's columns are used"
        )
    if data is not None:
        return ContractData(folder=data, horizon_days=horizon_days)
    if required:
        raise ConfigError(
            "say what to train on: --data DIR (a contract data folder) or --features TABLE "
            "--target COLUMN (your own table)"
        )
    return None


@train_app.command("propensity")
def train_propensity_command(
    data: Annotated[
        Path | None, typer.Option(help="Contract data folder (transactions, debtors, payments).")
    ] = None,
    features: Annotated[
        Path | None, typer.Option(help="Your own table (.parquet or .csv), one row per case.")
    ] = None,
    target: Annotated[str | None, typer.Option(help="With --features: the outcome column.")] = None,
    target_means: Annotated[
        str, typer.Option(help="What 1 in the target means: 'pay' or 'default' (did not pay).")
    ] = "pay",
    protected: Annotated[
        str | None,
        typer.Option(help="Comma-separated columns kept out of the model, reported per group."),
    ] = None,
    id_column: Annotated[
        str | None, typer.Option("--id", help="An identifier column kept out of the model.")
    ] = None,
    time_column: Annotated[
        str | None,
        typer.Option("--time", help="An observation-date column, for an out-of-time split."),
    ] = None,
    days_past_due: Annotated[
        str | None, typer.Option(help="The days-past-due column the rule baseline reads.")
    ] = None,
    horizon_days: Annotated[int, typer.Option(help="With --data: days to pay after as_of.")] = 30,
    trials: Annotated[int, typer.Option(help="Optuna trials.")] = 30,
    timeout: Annotated[
        float | None, typer.Option(help="Stop starting trials after this many seconds.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed (same data and seed, same model).")] = 0,
    metric: Annotated[
        str, typer.Option(help="What tuning maximises: auc, log_loss, brier.")
    ] = "auc",
    calibration: Annotated[str, typer.Option(help="sigmoid, isotonic or none.")] = "sigmoid",
    cv: Annotated[
        int | None, typer.Option(help="Also cross-validate with this many stratified folds.")
    ] = None,
    n_jobs: Annotated[int, typer.Option(help="Threads for the final model.")] = 1,
    name: Annotated[str, typer.Option(help="Registered model name.")] = "propensity",
    tracking_root: Annotated[Path, typer.Option(help=_TRACKING_ROOT_HELP)] = Path("."),
    report: Annotated[
        Path | None, typer.Option(help="Also write the report files (CSV, model card) here.")
    ] = None,
) -> None:
    """Train the propensity-to-pay model: tune, fit, calibrate, evaluate against two baselines."""
    from collectscore.tracking import TrackingConfig
    from collectscore.training import TrainConfig, TuningConfig, train_propensity

    source = _source(
        data,
        features,
        target,
        target_means,
        protected,
        id_column,
        time_column,
        days_past_due,
        horizon_days,
    )
    config = TrainConfig(
        source=source,  # type: ignore[arg-type]
        tuning=TuningConfig(trials=trials, timeout=timeout, seed=seed, metric=metric),
        tracking=TrackingConfig(root=tracking_root),
        registered_name=name,
        calibration=calibration,
        n_jobs=n_jobs,
        cv_folds=cv,
        out=report,
    )
    _quiet_mlflow()
    console = _out()
    run = train_propensity(config, log=console.print)
    print_training(run, console)


@train_app.command("contact")
def train_contact_command(
    data: Annotated[
        Path, typer.Option(help="Contract data folder with contacts (and their success).")
    ],
    trials: Annotated[int, typer.Option(help="Optuna trials.")] = 30,
    timeout: Annotated[
        float | None, typer.Option(help="Stop starting trials after this many seconds.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed (same data and seed, same model).")] = 0,
    metric: Annotated[
        str, typer.Option(help="What tuning optimises: log_loss, auc or brier.")
    ] = "log_loss",
    n_jobs: Annotated[int, typer.Option(help="Threads for the final model.")] = 1,
    name: Annotated[str, typer.Option(help="Registered model name.")] = "contact",
    tracking_root: Annotated[Path, typer.Option(help=_TRACKING_ROOT_HELP)] = Path("."),
    report: Annotated[Path | None, typer.Option(help="Also write the report files here.")] = None,
) -> None:
    """Train the contact-success model (which channel and hour reach the debtor)."""
    from collectscore.tracking import TrackingConfig
    from collectscore.training import ContactTrainConfig, TuningConfig, train_contact

    config = ContactTrainConfig(
        folder=data,
        tuning=TuningConfig(trials=trials, timeout=timeout, seed=seed, metric=metric),
        tracking=TrackingConfig(root=tracking_root, experiment="collectscore-contact"),
        registered_name=name,
        n_jobs=n_jobs,
        out=report,
    )
    _quiet_mlflow()
    console = _out()
    run = train_contact(config, log=console.print)
    _print_comparison(run.evaluation, "test period: contact model and base rate", console)


def _print_comparison(evaluation: pd.DataFrame, title: str, console: Console) -> None:
    table = Table(title=title, show_edge=False)
    table.add_column("metric")
    for model in evaluation.columns:
        table.add_column(str(model), justify="right")
    for metric, row in evaluation.iterrows():
        cells = [f"{v:,.0f}" if metric == "n" else f"{v:.4f}" for v in row.tolist()]
        table.add_row(str(metric), *cells)
    console.print(table)


def print_training(run: object, console: Console | None = None) -> None:
    """The evaluation table (and the cross-validation summary) of a training run."""
    from collectscore.training import TrainingRun, cv_summary

    assert isinstance(run, TrainingRun)
    console = console or _out()
    _print_comparison(run.evaluation, "test period: model and baselines", console)
    console.print(f"PSI between training and test scores: {run.psi:.3f}")
    if run.cv is not None:
        summary = cv_summary(run.cv)
        cv_table = Table(
            title=f"cross-validation ({run.cv['fold'].nunique()} folds)", show_edge=False
        )
        cv_table.add_column("model")
        for metric in ("auc", "brier", "ece"):
            cv_table.add_column(metric, justify="right")
        for model, row in summary.iterrows():
            cv_table.add_row(
                str(model),
                *(
                    f"{row[f'{m}_mean']:.4f} ± {row[f'{m}_std']:.4f}"
                    for m in ("auc", "brier", "ece")
                ),
            )
        console.print(cv_table)
    if run.by_group is not None and len(run.by_group):
        console.print("by protected group (test):")
        console.print(run.by_group.round(4).to_string(index=False))


@app.command()
def promote(
    name: Annotated[str, typer.Argument(help="Registered model name, e.g. propensity.")],
    metric: Annotated[str, typer.Option(help="auc, gini, ks, brier, log_loss or ece.")] = "auc",
    margin: Annotated[
        float, typer.Option(help="The challenger must beat the champion by more than this.")
    ] = 0.0,
    data: Annotated[
        Path | None, typer.Option(help="Judge on the latest period of this data folder.")
    ] = None,
    features: Annotated[Path | None, typer.Option(help="Or judge on this table.")] = None,
    target: Annotated[str | None, typer.Option(help="With --features: the outcome column.")] = None,
    target_means: Annotated[str, typer.Option(help="'pay' or 'default'.")] = "pay",
    protected: Annotated[
        str | None, typer.Option(help="With --features: columns to leave out.")
    ] = None,
    id_column: Annotated[
        str | None, typer.Option("--id", help="With --features: id column.")
    ] = None,
    time_column: Annotated[
        str | None, typer.Option("--time", help="With --features: date column.")
    ] = None,
    horizon_days: Annotated[int, typer.Option(help="With --data: days to pay after as_of.")] = 30,
    tracking_root: Annotated[Path, typer.Option(help=_TRACKING_ROOT_HELP)] = Path("."),
) -> None:
    """Move the champion alias to the challenger when it wins on the same recent holdout.

    Without --data or --features, both are judged on the untouched test period the
    challenger's training run logged.
    """
    from collectscore.tracking import TrackingConfig
    from collectscore.training import PromoteConfig, promote_model

    holdout = _source(
        data,
        features,
        target,
        target_means,
        protected,
        id_column,
        time_column,
        None,
        horizon_days,
        required=False,
    )
    config = PromoteConfig(
        registered_name=name,
        metric=metric,
        margin=margin,
        holdout=holdout,  # type: ignore[arg-type]
        tracking=TrackingConfig(root=tracking_root),
    )
    _quiet_mlflow()
    decision = promote_model(config, log=_out().print)
    _out().print(
        f"champion of {name}: version {decision.champion_version}"
        + (" (new)" if decision.promoted else " (unchanged)")
    )


@app.command()
def score(
    data: Annotated[
        Path | None, typer.Argument(help="Contract data folder (transactions and debtors).")
    ] = None,
    out: Annotated[Path, typer.Option(help="Scores (.parquet or .csv).")] = Path("scores.parquet"),
    features: Annotated[
        Path | None, typer.Option(help="Or score your own table (a model trained with --features).")
    ] = None,
    id_column: Annotated[
        str | None, typer.Option("--id", help="With --features: id column.")
    ] = None,
    name: Annotated[str, typer.Option("--model", help="Registered model name.")] = "propensity",
    alias: Annotated[str, typer.Option(help="Which registered version: its alias.")] = "champion",
    version: Annotated[str | None, typer.Option(help="Or an exact version number.")] = None,
    tracking_root: Annotated[Path, typer.Option(help=_TRACKING_ROOT_HELP)] = Path("."),
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Add reason codes: reasons_lowering, reasons_raising (JSON) and top_reason.",
        ),
    ] = False,
    reasons: Annotated[
        int | None, typer.Option(help="With --explain: reasons per direction (default 4).")
    ] = None,
    language: Annotated[
        str | None, typer.Option(help="With --explain: language of the sentences, en or es.")
    ] = None,
) -> None:
    """Score every debtor snapshot with the champion (p_pay and risk band, reasons on request)."""
    from collectscore.scoring import load_registered, score_dataset, score_features
    from collectscore.tracking import TrackingConfig

    tracking = TrackingConfig(root=tracking_root)
    _quiet_mlflow()
    if out.suffix.lower() not in (".parquet", ".csv"):
        raise ConfigError(f"--out must end in .parquet or .csv; got '{out.name}'")
    if (data is None) == (features is None):
        raise ConfigError("give either a data folder (DIR) or --features TABLE to score")
    if not explain and (reasons is not None or language is not None):
        raise ConfigError("--reasons and --language only apply with --explain")
    k = (4 if reasons is None else reasons) if explain else None
    lang = language or "en"
    if k is not None:
        from collectscore.explanations._reasons import check_options

        check_options(k, lang)
    if data is not None:
        if id_column is not None:
            raise ConfigError("--id only applies to --features TABLE")
        table = score_dataset(
            _read_validated(data),
            config=tracking,
            name=name,
            alias=alias,
            version=version,
            explain=k,
            language=lang,
        )
    else:
        from collectscore.training._sources import read_feature_table

        assert features is not None
        frame = read_feature_table(features)
        if id_column is not None:
            if id_column not in frame:
                from ._errors import did_you_mean

                raise ConfigError(
                    f"--id {id_column!r} is not a column of {features}"
                    f"{did_you_mean(id_column, frame.columns)}"
                )
            frame = frame.set_index(id_column)
        model, info = load_registered(name, config=tracking, alias=alias, version=version)
        table = score_features(
            frame, model, info, alias=None if version else alias, explain=k, language=lang
        )
    _write_frame(table, out)
    bands = table["risk_band"].value_counts().sort_index()
    _out().print(
        f"scored {len(table):,} rows with {table['model'].iloc[0]} version "
        f"{table['model_version'].iloc[0]}; mean p_pay {table['p_pay'].mean():.3f}; bands "
        + ", ".join(f"{band} {n:,}" for band, n in bands.items())
        + f"; written to {out}"
    )


@app.command()
def recommend(
    data: Annotated[Path, typer.Argument(help="Contract data folder (with contacts).")],
    now: Annotated[
        str, typer.Option(help="The moment of the decision, e.g. 2026-09-01T09:00 (debtor-local).")
    ],
    out: Annotated[Path, typer.Option(help="Decisions (.parquet or .csv).")] = Path(
        "decisions.parquet"
    ),
    days: Annotated[int, typer.Option(help="Search the slots of this many days.")] = 7,
    explore: Annotated[
        str | None, typer.Option(help="Exploration: epsilon or thompson (default: none).")
    ] = None,
    epsilon: Annotated[float, typer.Option(help="With --explore epsilon.")] = 0.1,
    seed: Annotated[int, typer.Option(help="Exploration seed.")] = 0,
    pack: Annotated[
        list[Path] | None,
        typer.Option(help="A custom rule pack file (TOML or YAML); repeat for several."),
    ] = None,
    tracking_root: Annotated[Path, typer.Option(help=_TRACKING_ROOT_HELP)] = Path("."),
) -> None:
    """Decide for each debtor: p_pay, segment, and the contact (channel, time) or none."""
    import pandas as pd

    from collectscore.policy import RecommendConfig
    from collectscore.rules import load_pack
    from collectscore.scoring import decide
    from collectscore.tracking import TrackingConfig

    if out.suffix.lower() not in (".parquet", ".csv"):
        raise ConfigError(f"--out must end in .parquet or .csv; got '{out.name}'")
    try:
        moment = pd.Timestamp(now)
    except ValueError as exc:
        raise ConfigError(
            f"--now must be a date and time such as 2026-09-01T09:00; got {now!r}"
        ) from exc
    packs = {}
    for path in pack or []:
        loaded = load_pack(path)
        packs[loaded.name] = loaded
    config = RecommendConfig(
        days=days,
        exploration=explore,  # type: ignore[arg-type]
        epsilon=epsilon,
        seed=seed,
        packs=packs or None,
    )
    _quiet_mlflow()
    with _err().status("deciding"):
        table = decide(
            _read_validated(data, require=("transactions", "debtors", "contacts")),
            moment,
            config=TrackingConfig(root=tracking_root),
            recommend_config=config,
        )
    _write_frame(table, out)
    counts = table["decision"].value_counts()
    channels = table.loc[table["decision"] == "contact", "channel"].value_counts()
    _out().print(
        f"{len(table):,} debtors: "
        + ", ".join(f"{name} {n:,}" for name, n in counts.items())
        + (
            "; channels: " + ", ".join(f"{c} {n:,}" for c, n in channels.items())
            if len(channels)
            else ""
        )
        + f"; written to {out}"
    )


@app.command()
def monitor(
    data: Annotated[
        Path, typer.Argument(help="Contract data folder: the scoring batch (payments optional).")
    ],
    name: Annotated[str, typer.Option("--model", help="Registered model name.")] = "propensity",
    alias: Annotated[str, typer.Option(help="Which registered version: its alias.")] = "champion",
    out: Annotated[Path, typer.Option(help="The monitoring report (.html).")] = Path(
        "monitor.html"
    ),
    score_psi_max: Annotated[
        float, typer.Option(help="Needs review when the score PSI is above this.")
    ] = 0.25,
    auc_drop_max: Annotated[
        float, typer.Option(help="Needs review when the realised AUC drops by more than this.")
    ] = 0.05,
    feature_psi_max: Annotated[
        float | None, typer.Option(help="Needs review when any feature PSI is above this.")
    ] = None,
    recommended: Annotated[
        Path | None,
        typer.Option(help="Served recommendations (.parquet/.csv) to judge followed contacts."),
    ] = None,
    observed_until: Annotated[
        str | None, typer.Option(help="Last day outcomes are known (default: last payment).")
    ] = None,
    log: Annotated[
        bool, typer.Option("--log/--no-log", help="Log the numbers and report to the model's run.")
    ] = True,
    tracking_root: Annotated[Path, typer.Option(help=_TRACKING_ROOT_HELP)] = Path("."),
) -> None:
    """Compare a scoring batch with the champion's training data: drift, realised performance,
    KPIs and whether the champion needs review; write the report and log it to MLflow."""
    from rich.markup import escape

    from collectscore.monitoring import AlertRule, MonitorConfig, run_monitoring
    from collectscore.tracking import TrackingConfig

    config = MonitorConfig(
        data=data,
        model=name,
        alias=alias,
        tracking=TrackingConfig(root=tracking_root),
        rule=AlertRule(
            score_psi_max=score_psi_max,
            auc_drop_max=auc_drop_max,
            feature_psi_max=feature_psi_max,
        ),
        out=out,
        log_to_mlflow=log,
        recommended=recommended,
        observed_until=observed_until,
    )
    _quiet_mlflow()
    with _err().status("monitoring"):
        result = run_monitoring(config)
    console = _out()
    colour = "red" if result.status.needs_review else "green"
    console.print(f"[bold {colour}]{escape(result.headline)}[/bold {colour}]")
    score = result.drift.score
    if score is not None:
        console.print(
            f"{result.model} version {result.version} ({result.alias}): score PSI "
            f"{score['psi']:.3f} ({score['band']}), mean p_pay {score['mean_reference']:.3f} "
            f"at training, {score['mean_current']:.3f} now; {result.drift.n_current:,} rows"
        )
    table = Table(title="most urgent drifting features", show_edge=False)
    for column in ("feature", "PSI", "band", "importance"):
        table.add_column(column, justify="left" if column in ("feature", "band") else "right")
    for row in result.drift.top(5).itertuples(index=False):
        table.add_row(str(row.feature), f"{row.psi:.3f}", str(row.band), f"{row.importance:.3f}")
    console.print(table)
    if result.auc_current is None:
        console.print("realised AUC: not available yet (see the report's notes)")
    else:
        reference = (
            f" ({result.auc_reference:.3f} at training)" if result.auc_reference is not None else ""
        )
        console.print(f"realised AUC: {result.auc_current:.3f}{reference}")
    console.print(
        f"report written to {out}"
        + (f"; logged to {result.artifact}" if result.artifact else " (not logged)")
    )


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 3000,
    host: Annotated[str, typer.Option(help="Interface to bind (localhost by default).")] = (
        "127.0.0.1"
    ),
    tracking_root: Annotated[Path, typer.Option(help=_TRACKING_ROOT_HELP)] = Path("."),
    audit_db: Annotated[
        Path | None,
        typer.Option(help="Audit database (default: COLLECTSCORE_AUDIT_DB or audit.db)."),
    ] = None,
) -> None:
    """Start the HTTP scoring service (BentoML): POST /score, POST /explain, GET /model.

    API keys come from COLLECTSCORE_API_KEYS (comma-separated) or COLLECTSCORE_API_KEYS_FILE;
    the other settings from the COLLECTSCORE_* variables (see collectscore.serving.ENV).
    Unless BENTOML_HOME is set, the server gets a BentoML home of its own per port, so that
    two servers on one machine never serve each other's /metrics.
    """
    import subprocess

    from collectscore.serving import ServiceConfig, service_env
    from collectscore.serving._run import bentoml_home

    env = service_env(tracking_root=tracking_root, audit_db=audit_db)
    ServiceConfig.from_env(env).accepted_keys()  # no key: refuse before starting
    if "BENTOML_HOME" not in env:  # a home of its own: /metrics never mixes two servers
        env["BENTOML_HOME"] = str(bentoml_home(port))
    command = [
        sys.executable,
        "-m",
        "bentoml",
        "serve",
        "collectscore.serving.service:CollectScore",
        "--host",
        host,
        "--port",
        str(port),
    ]
    _out().print(f"serving on http://{host}:{port} (Ctrl+C stops it)")
    try:
        code = subprocess.call(command, env=env)
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)


@app.command()
def audit(
    db: Annotated[
        Path | None,
        typer.Option(help="Audit database (default: COLLECTSCORE_AUDIT_DB or audit.db)."),
    ] = None,
    request_id: Annotated[str | None, typer.Option(help="Only this request.")] = None,
    since: Annotated[
        str | None, typer.Option(help="Only decisions at or after this time (UTC when naive).")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows, newest first.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object a line.")] = False,
) -> None:
    """Show decisions from the service's audit log (newest first)."""
    import datetime as dt
    import json

    from collectscore.serving import ServiceConfig, query_audit

    path = db if db is not None else ServiceConfig.from_env().audit_db
    moment = None
    if since is not None:
        try:
            moment = dt.datetime.fromisoformat(since)
        except ValueError as exc:
            raise ConfigError(
                f"--since must be a date or time such as 2026-09-01T09:00; got {since!r}"
            ) from exc
    rows = query_audit(path, request_id=request_id, since=moment, limit=limit)
    if as_json:
        for row in rows:
            print(json.dumps(row))
        return
    table = Table(title=f"{len(rows)} decision(s) from {path}", show_edge=False)
    columns = ("time (UTC)", "request", "debtor", "p_pay", "band", "segment", "decision",
               "channel", "send at", "models")  # fmt: skip
    for column in columns:
        table.add_column(column, no_wrap=column in ("time (UTC)", "request", "debtor"))
    for row in rows:
        p = row["p_pay"]
        models = " / ".join(m for m in (row["propensity_model"], row["contact_model"]) if m)
        table.add_row(
            str(row["decided_at"] or "")[:19].replace("T", " "),
            str(row["request_id"])[:8],
            str(row["debtor_id"]),
            f"{p:.3f}" if p is not None else "",
            str(row["risk_band"] or ""),
            str(row["segment"] or ""),
            str(row["decision"] or row["endpoint"]),
            str(row["channel"] or ""),
            str(row["send_at"] or "").replace("T", " ")[:16],
            models,
        )
    _out().print(table)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Working folder for the demo's data.")] = Path(
        "build/demo"
    ),
    debtors: Annotated[int, typer.Option(help="Number of synthetic debtors.")] = DEMO_DEBTORS,
    seed: Annotated[int, typer.Option(help="Random seed.")] = DEMO_SEED,
    trials: Annotated[int, typer.Option(help="Optuna trials for the model.")] = DEMO_TRIALS,
    tracking_root: Annotated[Path, typer.Option(help=_TRACKING_ROOT_HELP)] = Path("."),
) -> None:
    """Run the main job end to end on the embedded defaults."""
    from ._demo import DemoConfig, run_demo

    config = DemoConfig(
        out=out, debtors=debtors, seed=seed, trials=trials, tracking_root=tracking_root
    )
    run_demo(config, console=_out())


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
