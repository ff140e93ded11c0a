"""The committed reason-code mapping: feature -> code, never reused.

A code is ``CS-<family>-<NN>``: the family's prefix (:data:`FAMILY_PREFIX`) and the
feature's number within its family, in the order features were added. The mapping is
written out here (not computed) so that reordering or removing features never changes a
code: a new feature takes the next free number of its family, a removed feature's code
moves to :data:`RETIRED_CODES` and is never given to another feature. Columns of a
bring-your-own table that are not in the feature catalogue get ``X-<column name>``.
"""

from __future__ import annotations

#: Code prefix per feature family.
FAMILY_PREFIX: dict[str, str] = {
    "income_stability": "INC",
    "balance_trend": "BAL",
    "arrears_distress": "ARR",
    "spending_obligations": "SPD",
    "payment_capacity": "CAP",
    "debt": "DBT",
}

#: Prefix of the code of a feature outside the catalogue (``X-`` + its column name).
OTHER_PREFIX = "X-"

#: Codes of features that were removed: never handed out again.
RETIRED_CODES: frozenset[str] = frozenset()

#: Feature name -> reason code (append only).
CODES: dict[str, str] = {
    "income_monthly_mean_30d": "CS-INC-01",
    "income_monthly_mean_90d": "CS-INC-02",
    "income_monthly_mean_180d": "CS-INC-03",
    "salary_monthly_mean_90d": "CS-INC-04",
    "salary_monthly_mean_180d": "CS-INC-05",
    "income_sources_90d": "CS-INC-06",
    "income_sources_180d": "CS-INC-07",
    "income_payments_30d": "CS-INC-08",
    "income_payments_90d": "CS-INC-09",
    "income_payments_180d": "CS-INC-10",
    "days_since_last_income": "CS-INC-11",
    "income_share_salary_180d": "CS-INC-12",
    "months_with_income_180d": "CS-INC-13",
    "income_cv_180d": "CS-INC-14",
    "income_min_month_180d": "CS-INC-15",
    "income_trend_180d": "CS-INC-16",
    "income_drop_last_month": "CS-INC-17",
    "recurring_income_streams": "CS-INC-18",
    "main_income_interval_cv": "CS-INC-19",
    "main_income_missed": "CS-INC-20",
    "recurring_income_monthly": "CS-INC-21",
    "days_until_next_income": "CS-INC-22",
    "balance_current": "CS-BAL-01",
    "balance_min_30d": "CS-BAL-02",
    "balance_min_90d": "CS-BAL-03",
    "balance_min_180d": "CS-BAL-04",
    "balance_mean_30d": "CS-BAL-05",
    "balance_mean_90d": "CS-BAL-06",
    "balance_mean_180d": "CS-BAL-07",
    "balance_volatility_90d": "CS-BAL-08",
    "balance_volatility_180d": "CS-BAL-09",
    "balance_slope_90d": "CS-BAL-10",
    "balance_slope_180d": "CS-BAL-11",
    "days_below_zero_30d": "CS-BAL-12",
    "days_below_zero_90d": "CS-BAL-13",
    "days_below_zero_180d": "CS-BAL-14",
    "days_below_installment_30d": "CS-BAL-15",
    "days_below_installment_90d": "CS-BAL-16",
    "balance_end_of_month_mean_180d": "CS-BAL-17",
    "balance_after_payday_mean_180d": "CS-BAL-18",
    "overdraft_fees_30d": "CS-ARR-01",
    "overdraft_fees_90d": "CS-ARR-02",
    "overdraft_fees_180d": "CS-ARR-03",
    "nsf_fees_30d": "CS-ARR-04",
    "nsf_fees_90d": "CS-ARR-05",
    "nsf_fees_180d": "CS-ARR-06",
    "penalty_interest_90d": "CS-ARR-07",
    "penalty_interest_180d": "CS-ARR-08",
    "loan_disbursements_90d": "CS-ARR-09",
    "loan_disbursements_180d": "CS-ARR-10",
    "collections_payments_90d": "CS-ARR-11",
    "collections_payments_180d": "CS-ARR-12",
    "gambling_share_90d": "CS-ARR-13",
    "gambling_share_180d": "CS-ARR-14",
    "missed_obligations": "CS-ARR-15",
    "missed_loan_repayments": "CS-ARR-16",
    "promises_kept_180d": "CS-ARR-17",
    "promises_broken_180d": "CS-ARR-18",
    "days_past_due": "CS-ARR-19",
    "outflow_monthly_mean_30d": "CS-SPD-01",
    "outflow_monthly_mean_90d": "CS-SPD-02",
    "outflow_monthly_mean_180d": "CS-SPD-03",
    "net_flow_monthly_30d": "CS-SPD-04",
    "net_flow_monthly_90d": "CS-SPD-05",
    "net_flow_monthly_180d": "CS-SPD-06",
    "essential_share_90d": "CS-SPD-07",
    "essential_share_180d": "CS-SPD-08",
    "discretionary_share_90d": "CS-SPD-09",
    "discretionary_share_180d": "CS-SPD-10",
    "cash_withdrawal_share_90d": "CS-SPD-11",
    "cash_withdrawal_share_180d": "CS-SPD-12",
    "obligations_to_income_90d": "CS-SPD-13",
    "obligations_to_income_180d": "CS-SPD-14",
    "loan_repayments_monthly_90d": "CS-SPD-15",
    "loan_repayments_monthly_180d": "CS-SPD-16",
    "transfers_in_share_90d": "CS-SPD-17",
    "transactions_30d": "CS-SPD-18",
    "transactions_90d": "CS-SPD-19",
    "recurring_obligations_monthly": "CS-SPD-20",
    "free_cash_flow_monthly_90d": "CS-CAP-01",
    "funds_available_now": "CS-CAP-02",
    "capacity_this_month": "CS-CAP-03",
    "installment_to_free_cash_flow": "CS-CAP-04",
    "capacity_covers_installment": "CS-CAP-05",
    "funds_to_installment": "CS-CAP-06",
    "capacity_to_installment": "CS-CAP-07",
    "balance_to_income_30d": "CS-CAP-08",
    "history_days": "CS-DBT-01",
    "outstanding": "CS-DBT-02",
    "installment": "CS-DBT-03",
    "outstanding_to_income": "CS-DBT-04",
}
