"""The compliance model report: one self-contained HTML file per registered model version.

    from collectscore.reporting import ReportConfig, write_model_report
    result = write_model_report(ReportConfig(model="propensity", out=Path("report.html")))

The file opens offline (inline CSS, figures as PNG data URIs, no script, no external link)
and is logged to the version's MLflow run as ``report/model_report.html``.
"""

from __future__ import annotations

from ._config import CARD_FIELDS, LANGUAGES, NOT_STATED, CardInfo, ReportConfig, load_card_info
from ._report import ARTIFACT_NAME, VERSION_TAG, ReportResult, write_model_report

__all__ = [
    "ARTIFACT_NAME",
    "CARD_FIELDS",
    "LANGUAGES",
    "NOT_STATED",
    "VERSION_TAG",
    "CardInfo",
    "ReportConfig",
    "ReportResult",
    "load_card_info",
    "write_model_report",
]
