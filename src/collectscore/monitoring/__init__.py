"""Monitoring a champion after go-live: drift, realised performance, KPIs and the review alert.

``run_monitoring(MonitorConfig(data=Path("batch")))`` does the whole check on a scoring batch
(the ``collectscore monitor`` command): scores it with the champion, compares it with the
training sample the champion's run logged, writes one self-contained HTML report and logs
the numbers to that run. The pieces are public too: ``drift_report(reference_X, current_X,
...)`` (PSI bands in :data:`PSI_BANDS`, KS test, missing and out-of-range rates, ranked by
SHAP importance); ``review(AlertRule(...), drift=..., auc_reference=..., auc_current=...)``
says whether the champion needs review, and why; ``realised_performance`` and
``contact_performance`` once outcomes arrive; ``portfolio_kpis`` and ``roll_rates``.
"""

from __future__ import annotations

from ._alerts import AlertRule, ReviewStatus, review
from ._drift import (
    DRIFT_COLUMNS,
    PSI_BANDS,
    REFERENCE_DIR,
    REFERENCE_FILE,
    REFERENCE_ROWS,
    SCORE_COLUMN,
    DriftConfig,
    DriftReport,
    drift_report,
    feature_drift,
    load_reference,
    psi,
    psi_band,
    psi_legend,
    reference_sample,
    score_drift,
    shap_importance,
    split_reference,
    write_reference,
)
from ._kpis import DPD_BUCKETS, KPI_COLUMNS, KPIColumn, dpd_bucket, portfolio_kpis, roll_rates
from ._monitor import (
    LOGGED_GROUP_KPIS,
    LOGGED_KPIS,
    METRIC_PREFIX,
    REFERENCE_AUC_METRIC,
    LoggedReview,
    MonitorConfig,
    MonitorResult,
    headline,
    log_monitoring,
    run_monitoring,
)
from ._performance import (
    CONTACT_PERFORMANCE_COLUMNS,
    PERFORMANCE_COLUMNS,
    contact_performance,
    realised_performance,
)

__all__ = [
    "CONTACT_PERFORMANCE_COLUMNS",
    "DPD_BUCKETS",
    "DRIFT_COLUMNS",
    "KPI_COLUMNS",
    "LOGGED_GROUP_KPIS",
    "LOGGED_KPIS",
    "METRIC_PREFIX",
    "PERFORMANCE_COLUMNS",
    "PSI_BANDS",
    "REFERENCE_AUC_METRIC",
    "REFERENCE_DIR",
    "REFERENCE_FILE",
    "REFERENCE_ROWS",
    "SCORE_COLUMN",
    "AlertRule",
    "DriftConfig",
    "DriftReport",
    "KPIColumn",
    "LoggedReview",
    "MonitorConfig",
    "MonitorResult",
    "ReviewStatus",
    "contact_performance",
    "dpd_bucket",
    "drift_report",
    "feature_drift",
    "headline",
    "load_reference",
    "log_monitoring",
    "portfolio_kpis",
    "psi",
    "psi_band",
    "psi_legend",
    "realised_performance",
    "reference_sample",
    "review",
    "roll_rates",
    "run_monitoring",
    "score_drift",
    "shap_importance",
    "split_reference",
    "write_reference",
]
