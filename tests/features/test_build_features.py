"""Specifications of the feature builder: point in time, and each family's behaviour."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from builders import account, debtor, monthly
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectscore import ContractError
from collectscore.features import build_features, catalog

AS_OF = "2026-10-05"


def features_of(tx: pd.DataFrame, *rows: dict, **kwargs: object) -> pd.DataFrame:
    return build_features(tx, pd.DataFrame(list(rows) or [debtor(AS_OF)]), **kwargs)


def one(tx: pd.DataFrame, **kwargs: object) -> pd.Series:
    return features_of(tx, **kwargs).iloc[0]


def salary_until(last_month: str) -> pd.DataFrame:
    return account(
        monthly(25, "2026-01", last_month, 2000.0, "NOMINA ACME SA", "income.salary")
        + monthly(1, "2026-01", "2026-10", -700.0, "ALQUILER PISO", "housing")
        + monthly(12, "2026-01", "2026-09", -90.0, "PAGO RECIBO LUZ", "utilities")
    )


# --- point in time ------------------------------------------------------------------------


def test_transactions_after_as_of_never_change_any_feature_on_the_synthetic_portfolio(
    synthetic,
) -> None:
    full = build_features(
        synthetic.transactions,
        synthetic.debtors,
        contacts=synthetic.contacts,
        payments=synthetic.payments,
    )
    for as_of, rows in synthetic.debtors.groupby("as_of"):
        cut = pd.Timestamp(as_of) + pd.Timedelta(days=1)
        known = build_features(
            synthetic.transactions[synthetic.transactions["booked_at"] < cut],
            rows,
            contacts=synthetic.contacts[synthetic.contacts["sent_at"] < cut],
            payments=synthetic.payments[synthetic.payments["paid_at"] < cut],
        )
        pd.testing.assert_frame_equal(full.loc[known.index], known, rtol=1e-9, atol=1e-9)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=400),  # hours after the end of as_of
            st.floats(min_value=-5000, max_value=5000, allow_nan=False),
            st.sampled_from(["income.salary", "fee.nsf", "housing", "loan.repayment", "gambling"]),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_adding_any_later_transaction_changes_nothing(later: list) -> None:
    base = salary_until("2026-09")
    end_of_day = pd.Timestamp(AS_OF) + pd.Timedelta(days=1)
    extra = pd.DataFrame(
        {
            "account_id": "a1",
            "booked_at": [end_of_day + pd.Timedelta(hours=h) for h, _, _ in later],
            "amount": [a for _, a, _ in later],
            "description": "NOMINA ACME SA",
            "category": [c for _, _, c in later],
            "balance_after": 0.0,
        }
    )
    pd.testing.assert_series_equal(one(base), one(pd.concat([base, extra], ignore_index=True)))


# --- catalogue ----------------------------------------------------------------------------


def test_the_catalogue_describes_every_feature_the_builder_returns() -> None:
    cat = catalog()
    assert len(cat) >= 60
    assert cat["name"].is_unique
    assert set(cat["family"]) >= {
        "income_stability",
        "balance_trend",
        "arrears_distress",
        "spending_obligations",
        "payment_capacity",
    }
    assert cat["direction"].isin([-1, 0, 1]).all()
    assert (cat["description_en"].str.len() > 10).all()
    assert (cat["description_es"].str.len() > 10).all()
    assert (cat["description_en"] != cat["description_es"]).all()
    assert list(one(salary_until("2026-09")).index) == cat["name"].tolist()


def test_features_come_back_one_row_per_debtor_snapshot_in_input_order() -> None:
    rows = [debtor("2026-09-30", debtor_id="late"), debtor("2026-06-30", debtor_id="early")]
    out = features_of(salary_until("2026-09"), *rows)
    assert list(out.index) == [
        ("late", pd.Timestamp("2026-09-30")),
        ("early", pd.Timestamp("2026-06-30")),
    ]
    assert out.loc["late"]["history_days"].iloc[0] > out.loc["early"]["history_days"].iloc[0]


def test_a_debtor_without_transactions_gets_zero_counts_and_missing_levels() -> None:
    out = features_of(
        salary_until("2026-09"), debtor(AS_OF), debtor(AS_OF, debtor_id="d2", account_id="zz")
    )
    nobody = out.loc["d2"].iloc[0]
    assert nobody["nsf_fees_90d"] == 0 and nobody["income_monthly_mean_90d"] == 0
    assert np.isnan(nobody["balance_current"])


def test_a_missing_required_column_is_named_with_a_hint() -> None:
    tx = salary_until("2026-09").rename(columns={"amount": "amout"})
    with pytest.raises(ContractError) as err:
        one(tx)
    assert "transactions" in str(err.value) and "'amount'" in str(err.value)
    assert "rename column 'amout' to 'amount'" in str(err.value)


# --- income stability ---------------------------------------------------------------------


def test_a_salary_that_stops_lowers_income_stability() -> None:
    steady, stopped = one(salary_until("2026-09")), one(salary_until("2026-08"))
    assert steady["income_monthly_mean_30d"] == 2000.0
    assert stopped["income_monthly_mean_30d"] == 0.0
    assert steady["months_with_income_180d"] == 6 and stopped["months_with_income_180d"] == 5
    assert steady["income_drop_last_month"] == 0.0
    assert stopped["income_drop_last_month"] == 1.0
    assert steady["days_since_last_income"] == 10 and stopped["days_since_last_income"] == 41
    assert stopped["income_cv_180d"] > steady["income_cv_180d"]


# --- balance trend ------------------------------------------------------------------------


def test_balance_statistics_are_weighted_by_the_days_each_balance_held() -> None:
    tx = account(
        [
            ("2026-08-15", -50.0, "CARD PURCHASE", "spending.other"),  # balance 100
            ("2026-09-01", -300.0, "CARD PURCHASE", "spending.other"),  # -200 for 10 days
            ("2026-09-11", 500.0, "Transferencia recibida", "transfer.in"),  # 300 for 20 days
        ],
        opening=150.0,
    )
    f = features_of(tx, debtor("2026-09-30")).iloc[0]
    assert f["balance_current"] == 300.0
    assert f["balance_min_30d"] == -200.0
    assert f["days_below_zero_30d"] == 10
    assert f["balance_mean_30d"] == pytest.approx((10 * -200 + 20 * 300) / 30)
    # 90 days: the 100 held from 15 to 31 August too (17 days)
    assert f["balance_mean_90d"] == pytest.approx((17 * 100 + 10 * -200 + 20 * 300) / 47)
    assert f["balance_slope_90d"] > 0
    assert f["days_below_installment_30d"] == 10  # installment 200 > -200 only


# --- arrears and distress -----------------------------------------------------------------


def test_returned_payments_and_overdraft_fees_are_counted_per_window() -> None:
    tx = pd.concat(
        [
            salary_until("2026-09"),
            account(
                [
                    ("2026-09-20", -15.0, "DEVOLUCION RECIBO", "fee.nsf"),
                    ("2026-07-20", -15.0, "DEVOLUCION RECIBO", "fee.nsf"),
                    ("2026-09-21", -10.0, "COMISION DESCUBIERTO", "fee.overdraft"),
                ]
            ),
        ],
        ignore_index=True,
    )
    f = one(tx)
    assert (f["nsf_fees_30d"], f["nsf_fees_90d"], f["overdraft_fees_30d"]) == (1, 2, 1)


def test_promises_to_pay_are_kept_or_broken_as_known_at_as_of() -> None:
    contacts = pd.DataFrame(
        {
            "debtor_id": "d1",
            "channel": "call",
            "sent_at": pd.to_datetime(["2026-09-01 10:00", "2026-09-12 10:00", "2026-10-01 10:00"]),
            "success": True,
            "promise_amount": [200.0, 150.0, 100.0],
            "promise_date": pd.to_datetime(["2026-09-10", "2026-09-15", "2026-10-08"]),
        }
    )
    payments = pd.DataFrame(
        {
            "debtor_id": "d1",
            "paid_at": pd.to_datetime(["2026-09-08", "2026-10-06"]),  # the second is after as_of
            "amount": [200.0, 100.0],
        }
    )
    f = one(salary_until("2026-09"), contacts=contacts, payments=payments)
    assert f["promises_kept_180d"] == 1
    assert f["promises_broken_180d"] == 1  # the one due 15 Sept; 8 Oct is still pending


def test_gambling_share_is_the_share_of_spending() -> None:
    tx = pd.concat(
        [salary_until("2026-09"), account([("2026-09-20", -395.0, "CODERE APUESTAS", "gambling")])],
        ignore_index=True,
    )
    # the 90 days from 8 July to 5 October: rents on 1 Aug, Sep, Oct; bills 12 Jul, Aug, Sep
    f = one(tx)
    assert f["gambling_share_90d"] == pytest.approx(395.0 / (3 * 700 + 3 * 90 + 395))


# --- spending and capacity ----------------------------------------------------------------


def test_obligations_to_income_and_free_cash_flow() -> None:
    f = one(salary_until("2026-09"))
    # 8 July to 5 October: salaries 25 Jul, Aug, Sep; rents 1 Aug, Sep, Oct; bills 12 Jul, Aug, Sep
    assert f["obligations_to_income_90d"] == pytest.approx((3 * 700 + 3 * 90) / (3 * 2000))
    assert f["free_cash_flow_monthly_90d"] == pytest.approx(2000 - (3 * 700 + 3 * 90) / 3)
    assert f["funds_available_now"] == max(f["balance_current"], 0)


def test_the_transformer_works_in_a_scikit_learn_pipeline(synthetic) -> None:
    from sklearn.base import clone
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from collectscore import paid_within_horizon
    from collectscore.features import FeatureBuilder

    y = paid_within_horizon(synthetic.debtors, synthetic.payments)
    pipe = make_pipeline(
        FeatureBuilder(
            transactions=synthetic.transactions,
            features=["nsf_fees_90d", "income_monthly_mean_90d", "days_past_due"],
        ),
        SimpleImputer(),
        LogisticRegression(max_iter=1000),
    )
    pipe.fit(synthetic.debtors, y)
    proba = pipe.predict_proba(synthetic.debtors)[:, 1]
    assert proba.shape == (len(synthetic.debtors),)
    assert clone(pipe).get_params()["featurebuilder__features"] == [
        "nsf_fees_90d",
        "income_monthly_mean_90d",
        "days_past_due",
    ]
    out = FeatureBuilder(transactions=synthetic.transactions).fit_transform(synthetic.debtors)
    assert list(out.columns) == catalog()["name"].tolist()


def test_a_missed_monthly_loan_repayment_is_counted() -> None:
    def with_loan(last: str) -> pd.DataFrame:
        loan = monthly(10, "2026-01", last, -150.0, "CUOTA PRESTAMO BANCO", "loan.repayment")
        return pd.concat([salary_until("2026-09"), account(loan)], ignore_index=True)

    assert one(with_loan("2026-09"))["missed_loan_repayments"] == 0
    paid_until_august = one(with_loan("2026-08"))  # 10 September never came
    assert paid_until_august["missed_loan_repayments"] == 1
    assert paid_until_august["missed_obligations"] == 1


def test_a_salary_that_stops_is_reported_missed() -> None:
    assert one(salary_until("2026-09"))["main_income_missed"] == 0
    assert one(salary_until("2026-08"))["main_income_missed"] == 1
    assert one(salary_until("2026-09"))["days_until_next_income"] == 20


def test_inferred_categories_keep_features_point_in_time(synthetic) -> None:
    raw = synthetic.transactions.drop(columns="category")
    rows = synthetic.debtors[synthetic.debtors["as_of"] == synthetic.debtors["as_of"].min()]
    cut = rows["as_of"].iloc[0] + pd.Timedelta(days=1)
    full = build_features(raw, rows)
    known = build_features(raw[raw["booked_at"] < cut], rows)
    pd.testing.assert_frame_equal(full, known, rtol=1e-9, atol=1e-9)
    given = build_features(synthetic.transactions, rows)
    agree = np.isclose(full.to_numpy(), given.to_numpy(), equal_nan=True).mean()
    assert agree > 0.99


def test_untyped_input_is_validated_and_coerced_like_any_contract_table() -> None:
    typed = salary_until("2026-09")
    as_text = typed.astype({"amount": "str", "booked_at": "str", "balance_after": "str"})
    pd.testing.assert_series_equal(one(as_text), one(typed))


def test_a_null_amount_is_an_error_naming_table_column_and_row() -> None:
    tx = salary_until("2026-09")
    tx.loc[3, "amount"] = np.nan
    with pytest.raises(ContractError) as err:
        one(tx)
    message = str(err.value)
    assert "'transactions'" in message and "'amount'" in message and "rows 3" in message


def test_a_repeated_debtor_snapshot_is_refused() -> None:
    with pytest.raises(ContractError, match="debtor_id"):
        features_of(salary_until("2026-09"), debtor(AS_OF), debtor(AS_OF))


def test_the_order_of_the_input_rows_does_not_matter(synthetic) -> None:
    shuffled = synthetic.transactions.sample(frac=1, random_state=3)
    pd.testing.assert_frame_equal(
        build_features(shuffled, synthetic.debtors),
        build_features(synthetic.transactions, synthetic.debtors),
        rtol=1e-9,
        atol=1e-9,
    )


def test_working_through_the_portfolio_in_chunks_of_accounts_changes_nothing(synthetic) -> None:
    from collectscore.features import FeatureConfig

    whole = build_features(synthetic.transactions, synthetic.debtors)
    chunked = build_features(
        synthetic.transactions, synthetic.debtors, config=FeatureConfig(chunk_rows=5_000)
    )
    pd.testing.assert_frame_equal(chunked, whole)
