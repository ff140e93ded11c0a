"""``make demo``: the main job end to end on the embedded defaults."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from ._contract import DEFAULT_HORIZON_DAYS
from ._data import Dataset
from ._errors import ConfigError
from ._labels import paid_within_horizon


@dataclass(frozen=True)
class DemoConfig:
    """What the demo does: generate, validate and summarise a synthetic portfolio, train the
    propensity model on it (``trials`` Optuna trials), register, promote and score with it.
    The MLflow store is ``tracking_root``/mlflow.db with artifacts in ``tracking_root``/mlruns."""

    out: Path = Path("build/demo")
    debtors: int = 3000
    seed: int = 7
    horizon_days: int = DEFAULT_HORIZON_DAYS
    trials: int = 15
    tracking_root: Path = Path(".")
    taiwan_path: Path = field(default=Path("../shared/data/taiwan_default"))

    def __post_init__(self) -> None:
        if self.debtors < 1:
            raise ConfigError(f"debtors must be >= 1; got {self.debtors}")


def run_demo(config: DemoConfig, console: Console | None = None) -> dict[str, float]:
    """Generate sample data, validate it, print a portfolio summary; returns headline numbers."""
    from ._cli import print_validation, write_sample_with_progress
    from ._io import read_dir
    from ._validation import validate_dataset
    from .synthetic import SampleConfig

    console = console or Console()
    data_dir = config.out / "data"
    console.rule("[bold]1. synthetic portfolio")
    sample_config = SampleConfig(debtors=config.debtors, seed=config.seed)
    write_sample_with_progress(sample_config, data_dir)
    console.print(f"{config.debtors:,} debtors (seed {config.seed}) written to {data_dir}")

    console.rule("[bold]2. contract validation")
    data, report = validate_dataset(
        read_dir(data_dir, require=("transactions", "debtors", "payments", "contacts"))
    )
    print_validation(report, console)
    console.print("[green]valid[/green]: every table satisfies the contract")

    console.rule("[bold]3. portfolio summary")
    debtors = data.debtors.copy()
    assert data.payments is not None
    debtors["paid"] = paid_within_horizon(debtors, data.payments, config.horizon_days)
    by_snapshot = (
        debtors.groupby("as_of")
        .agg(
            debtors=("debtor_id", "size"),
            median_days_past_due=("days_past_due", "median"),
            pay_rate=("paid", "mean"),
        )
        .reset_index()
    )
    by_snapshot["as_of"] = by_snapshot["as_of"].dt.date.astype(str)
    by_snapshot["pay_rate"] = by_snapshot["pay_rate"].map("{:.1%}".format)
    _table(console, by_snapshot.to_dict("records"), title="per observation date")
    if "country" in debtors:
        currency = data.transactions.drop_duplicates("account_id").set_index("account_id")
        debtors["currency"] = debtors["account_id"].map(currency.get("currency", pd.Series()))
        by_country = (
            debtors.groupby(["country", "currency"], dropna=False)
            .agg(
                snapshots=("debtor_id", "size"),
                median_outstanding=("outstanding", "median"),
                pay_rate=("paid", "mean"),
            )
            .reset_index()
        )
        by_country["median_outstanding"] = by_country["median_outstanding"].map("{:,.0f}".format)
        by_country["pay_rate"] = by_country["pay_rate"].map("{:.1%}".format)
        _table(console, by_country.to_dict("records"), title="per country (own currency)")
    headline: dict[str, float] = {
        "transactions": float(len(data.transactions)),
        "pay_rate": float(debtors["paid"].mean()),
    }
    if data.contacts is not None and len(data.contacts):
        contacts = data.contacts
        by_channel = (
            contacts.groupby("channel")
            .agg(attempts=("success", "size"), success_rate=("success", "mean"))
            .reset_index()
            .sort_values("attempts", ascending=False)
        )
        by_channel["success_rate"] = by_channel["success_rate"].map("{:.1%}".format)
        _table(console, by_channel.to_dict("records"), title="contact history by channel")
        headline["contact_success"] = float(contacts["success"].mean())
    console.print(
        f"{len(data.transactions):,} transactions; {debtors['paid'].mean():.1%} of debtor "
        f"snapshots paid within {config.horizon_days} days"
    )

    console.rule("[bold]4. point-in-time features and capacity signals")
    headline.update(_features_summary(data, debtors["paid"], console))

    console.rule("[bold]5. propensity model: train, register, promote, score")
    headline.update(_model_summary(config, data_dir, data, console))

    console.rule("[bold]6. contact model: train, register, promote, evaluate the policy offline")
    headline.update(_contact_summary(config, data_dir, console))

    console.rule("[bold]7. decisions: segment, then the best allowed contact or none")
    headline.update(_decision_summary(config, data, console))

    console.rule("[bold]8. real data: UCI Taiwan credit-card clients")
    headline.update(_taiwan_summary(config.taiwan_path, console))

    console.rule("[bold]9. monitoring: new batches against the champion's training data")
    headline.update(_monitoring_summary(config, console))

    console.rule("[bold]10. the HTTP service: score over HTTP, review status, /metrics")
    headline.update(_service_summary(config, data, console))
    console.rule("[bold]done")
    return headline


def _model_summary(
    config: DemoConfig, data_dir: Path, data: Dataset, console: Console
) -> dict[str, float]:
    from ._cli import _quiet_mlflow, print_training
    from .reporting import ReportConfig, write_model_report
    from .scoring import score_dataset
    from .tracking import TrackingConfig
    from .training import (
        ContractData,
        PromoteConfig,
        TrainConfig,
        TuningConfig,
        promote_model,
        train_propensity,
    )

    _quiet_mlflow()
    tracking = TrackingConfig(root=config.tracking_root)
    console.print(f"MLflow store: {tracking.resolved_uri()}")
    train = TrainConfig(
        source=ContractData(data_dir, horizon_days=config.horizon_days),
        tuning=TuningConfig(trials=config.trials, seed=config.seed),
        tracking=tracking,
        out=config.out / "report",
    )
    run = train_propensity(train, log=console.print)
    print_training(run, console)
    console.print(f"report and model card: {config.out / 'report'}")
    decision = promote_model(PromoteConfig(tracking=tracking), log=console.print)
    scores = score_dataset(data, config=tracking, explain=3)
    scores_path = config.out / "scores.parquet"
    scores.to_parquet(scores_path, index=False)
    bands = scores["risk_band"].value_counts().sort_index()
    console.print(
        f"scored {len(scores):,} snapshots with the champion (version "
        f"{decision.champion_version}), with their top 3 reason codes each way: "
        + ", ".join(f"band {b} {n:,}" for b, n in bands.items())
        + f"; written to {scores_path}"
    )
    _print_reasons(scores, console)
    report = write_model_report(
        ReportConfig(tracking=tracking, out=config.out / "model_report.html")
    )
    console.print(
        f"compliance report: {report.path} ({report.size / 1e6:.1f} MB, "
        f"{len(report.sections)} sections, opens offline), logged to the version's run as "
        f"{report.artifact}"
    )
    model = run.evaluation.iloc[:, 0]
    return {
        "model_auc": float(model["auc"]),
        "model_brier": float(model["brier"]),
        "model_ece": float(model["ece"]),
    }


def _print_reasons(scores: pd.DataFrame, console: Console) -> None:
    """The reason codes of the lowest-scored snapshot of the latest date, as a reviewer sees them."""
    latest = scores[scores["as_of"] == scores["as_of"].max()]
    row = latest.loc[latest["p_pay"].idxmin()]
    console.print(
        f"e.g. {row['debtor_id']} on {pd.Timestamp(row['as_of']):%Y-%m-%d}: p_pay "
        f"{row['p_pay']:.3f} (band {row['risk_band']})"
    )
    for label, column in (("lowers", "reasons_lowering"), ("raises", "reasons_raising")):
        for reason in json.loads(row[column]):
            console.print(
                f"  {label} [{reason['code']}] {reason['text']} "
                f"({reason['contribution']:+.2f} log-odds)"
            )


def _contact_summary(config: DemoConfig, data_dir: Path, console: Console) -> dict[str, float]:
    from ._cli import _print_comparison
    from .tracking import TrackingConfig
    from .training import (
        ContactTrainConfig,
        PromoteConfig,
        TuningConfig,
        promote_model,
        train_contact,
    )

    tracking = TrackingConfig(root=config.tracking_root, experiment="collectscore-contact")
    run = train_contact(
        ContactTrainConfig(
            folder=data_dir,
            tuning=TuningConfig(trials=config.trials, seed=config.seed, metric="log_loss"),
            tracking=tracking,
            out=config.out / "contact-report",
        ),
        log=console.print,
    )
    _print_comparison(run.evaluation, "test period: contact model and base rate", console)
    promote_model(
        PromoteConfig(registered_name="contact", metric="log_loss", tracking=tracking),
        log=console.print,
    )
    out: dict[str, float] = {"contact_auc": float(run.evaluation.iloc[:, 0]["auc"])}
    if run.policy_evaluation is not None:
        ope = run.policy_evaluation
        shown = [
            {
                "policy": str(name),
                "DR [95% CI]": f"{r['dr']:.3f} [{r['dr_low']:.3f}, {r['dr_high']:.3f}]",
                "true success": "-"
                if pd.isna(r.get("true_success"))
                else f"{r['true_success']:.3f}",
                "regret vs oracle": "-" if pd.isna(r.get("regret")) else f"{r['regret']:.3f}",
            }
            for name, r in ope.iterrows()
        ]
        _table(console, shown, title="contact policies on the test period (offline evaluation)")
        if "true_success" in ope:
            out["policy_true_success"] = float(ope.loc["model_greedy", "true_success"])
    return out


def _decision_summary(config: DemoConfig, data: Dataset, console: Console) -> dict[str, float]:
    from .scoring import decide
    from .tracking import TrackingConfig

    now = pd.Timestamp(data.debtors["as_of"].max()) + pd.Timedelta(days=2, hours=9)
    table = decide(data, now, config=TrackingConfig(root=config.tracking_root))
    path = config.out / "decisions.parquet"
    table.to_parquet(path, index=False)
    counts = table.groupby(["segment", "decision"]).size().reset_index(name="debtors")
    _table(
        console,
        counts.to_dict("records"),
        title=f"decisions at {now:%Y-%m-%d %H:%M} (debtor-local)",
    )
    contacted = table[table["decision"] == "contact"]
    console.print(
        "channels: "
        + ", ".join(f"{c} {n:,}" for c, n in contacted["channel"].value_counts().items())
        + f"; every contact checked against its rule pack; written to {path}"
    )
    example = contacted.head(1)
    for row in example.itertuples():
        console.print(f"e.g. {row.debtor_id}: {row.reason}")
    return {"contacted_share": float(len(contacted) / len(table))}


def _features_summary(data: Dataset, paid: pd.Series, console: Console) -> dict[str, float]:
    import time

    from .features import build_features, capacity_signals, univariate_auc

    start = time.perf_counter()
    features = build_features(
        data.transactions, data.debtors, contacts=data.contacts, payments=data.payments
    )
    seconds = time.perf_counter() - start
    console.print(
        f"{features.shape[1]} features for {len(features):,} debtor snapshots in {seconds:.1f} s "
        "(categories inferred from the descriptions; nothing after as_of used)"
    )
    ranked = univariate_auc(features, paid).head(8)
    top = [
        {
            "feature": r.feature,
            "direction": f"{r.direction:+d}" if r.direction else "0",
            "univariate AUC": f"{r.strength:.3f}",
        }
        for r in ranked.itertuples()
    ]
    _table(console, top, title="most telling features for paying within the horizon")
    signals = capacity_signals(data.transactions, data.debtors)
    console.print(
        f"{signals['has_funds'].mean():.1%} of snapshots have funds above installment + buffer; "
        f"{signals['income_drop_alert'].mean():.1%} raise an income-drop alert"
    )
    return {
        "features": float(features.shape[1]),
        "best_univariate_auc": float(ranked["strength"].iloc[0]),
    }


def _taiwan_summary(path: Path, console: Console) -> dict[str, float]:
    from .datasets import taiwan

    if not path.exists():
        console.print(f"skipped: no data set at {path}")
        return {}
    frame = taiwan.load(path)
    rate = float(frame[taiwan.TARGET].mean())
    console.print(
        f"{len(frame):,} card holders loaded from {path}; {rate:.1%} paid the next month; "
        f"protected attributes: {', '.join(taiwan.PROTECTED)}"
    )
    return {"taiwan_clients": float(len(frame)), "taiwan_paid_rate": rate}


def _table(console: Console, rows: list[dict[str, object]], title: str | None = None) -> None:
    if not rows:
        return
    table = Table(title=title, show_edge=False)
    for key in rows[0]:
        table.add_column(str(key))
    for row in rows:
        table.add_row(*(f"{v:,}" if isinstance(v, int) else str(v) for v in row.values()))
    console.print(table)


def _monitoring_summary(config: DemoConfig, console: Console) -> dict[str, float]:
    """Check two new batches of debtors at the champion's training snapshots: one drawn like
    the training data, one after an income shock (a third of the debtors lose 60 % of their
    income). The rule flags a score PSI that leaves the stable band or a feature whose PSI
    calls for action; the shocked check is logged last, so the champion's run ends up
    marked "needs review"."""
    import datetime as dt

    from ._io import write_dir
    from .monitoring import AlertRule, MonitorConfig, run_monitoring
    from .synthetic import SampleConfig, generate
    from .tracking import TrackingConfig

    trained = SampleConfig(debtors=config.debtors, seed=config.seed)
    # the out-of-time split keeps the last two snapshots for validation and test
    trained_on = trained.snapshot_dates()[:-2]
    first = trained_on[0]
    # the first day of the month before the first snapshot's
    shock_date = (first.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    batches = {
        "same distribution": SampleConfig(debtors=1000, seed=config.seed + 1),
        "income shock": SampleConfig(
            debtors=1000,
            seed=config.seed + 1,
            income_shock=1 / 3,
            income_shock_size=0.6,
            shock_date=shock_date,
        ),
    }
    rule = AlertRule(score_psi_max=0.1, auc_drop_max=0.1, feature_psi_max=0.25)
    rows: list[dict[str, object]] = []
    headline: dict[str, float] = {}
    for label, sample in batches.items():
        slug = label.replace(" ", "_")
        folder = config.out / "monitoring" / slug
        generated = generate(sample)
        keep = pd.to_datetime(generated.debtors["as_of"]).dt.date.isin(trained_on).to_numpy()
        batch = generated.debtors[keep].reset_index(drop=True)
        write_dir(replace(generated, debtors=batch, truth={}), folder)
        result = run_monitoring(
            MonitorConfig(
                data=folder,
                tracking=TrackingConfig(root=config.tracking_root),
                rule=rule,
                out=config.out / f"monitor_{slug}.html",
            )
        )
        drift = result.drift
        score_psi = float(drift.score["psi"]) if drift.score else float("nan")
        rows.append(
            {
                "batch": label,
                "score PSI": f"{score_psi:.3f} ({drift.score_band})",
                "features not stable": len(drift.flagged),
                "first to look at": drift.flagged[0] if drift.flagged else "-",
                "verdict": result.headline,
            }
        )
        headline[f"monitor_score_psi_{slug}"] = score_psi
        console.print(f"{label}: report {result.path}")
    title = (
        f"collectscore monitor (review when score PSI > {rule.score_psi_max}, a feature's PSI "
        f"> {rule.feature_psi_max} or the AUC drops by more than {rule.auc_drop_max})"
    )
    _table(console, rows, title=title)
    console.print(
        "the verdicts, metrics and reports are logged to the champion's run; the service "
        "below reads the latest verdict"
    )
    return headline


def _service_summary(config: DemoConfig, data: Dataset, console: Console) -> dict[str, float]:
    """Start the service on the demo's store, score ten debtors over HTTP, stop it."""
    import secrets

    from .serving import service_env
    from .serving._run import ServiceProcess, debtors_request

    key = secrets.token_urlsafe(24)
    env = service_env(
        tracking_root=config.tracking_root,
        audit_db=config.out / "audit.db",
        api_keys=(key,),
        reload_interval_s=0,
    )
    service = ServiceProcess(env, log=config.out / "service.log")
    try:
        service.wait_ready()
        console.print(f"service ready at {service.url} (log: {service.log})")
        latest = data.debtors.sort_values("as_of").groupby("debtor_id").tail(1).head(10)
        now = pd.Timestamp(latest["as_of"].max()) + pd.Timedelta(days=2, hours=9)
        answer = service.post(
            "/score", {"debtors": debtors_request(data, latest), "now": now.isoformat()}, key
        )
        card = json.loads(service.get("/model", key))["models"]["propensity"]
        exposition = service.get("/metrics")
    finally:
        service.stop()
    rows = []
    for d in answer["debtors"]:
        contact = d["contact"] or {}
        rows.append(
            {
                "debtor": d["debtor_id"],
                "p_pay": f"{d['p_pay']:.2f}",
                "band": d["risk_band"],
                "channel": contact.get("channel") or d["decision"],
                "send_at": (contact.get("send_at") or "-").replace("T", " ")[:16],
                "top reason": d["top_reason"] or "-",
            }
        )
    _table(console, rows, title=f"POST /score, request {answer['request_id']} (audited)")
    review = card["review"] or {}
    console.print(
        f"GET /model: propensity v{card['version']}, last monitoring check "
        f"{review.get('checked_at') or 'never'}: {review.get('headline')}"
    )
    wanted = ("collectscore_needs_review", "collectscore_p_pay_count", "collectscore_p_pay_sum")
    lines = [line for line in exposition.splitlines() if line.startswith(wanted)]
    console.print("GET /metrics (for Prometheus):\n  " + "\n  ".join(lines))
    console.print(f"service stopped; decisions in {config.out / 'audit.db'}")
    return {
        "service_debtors": float(len(rows)),
        "service_needs_review": float(bool(review.get("needs_review"))),
    }
