"""Small builders for rule tests: candidates and histories from (channel, 'YYYY-MM-DD HH:MM')."""

from __future__ import annotations

import pandas as pd


def candidates(*rows: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "channel": [c for c, _ in rows],
            "send_at": pd.to_datetime([t for _, t in rows]).astype("datetime64[us]"),
        }
    )


def history(*rows: tuple[str, str] | tuple[str, str, bool]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "channel": pd.Series([r[0] for r in rows], dtype="str"),
            "sent_at": pd.to_datetime([r[1] for r in rows]).astype("datetime64[us]"),
            "success": pd.Series([bool(r[2]) if len(r) > 2 else False for r in rows], dtype=bool),
        }
    )


NO_HISTORY = history()
ALL_CONSENT = {
    "sms": True,
    "email": True,
    "whatsapp": True,
    "push": True,
    "call": True,
    "ivr": True,
}
