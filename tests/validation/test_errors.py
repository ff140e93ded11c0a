"""Errors keep everything they say when they cross a process boundary."""

from __future__ import annotations

import pickle

from collectscore import ContractError, Problem


def test_a_contract_error_pickles_with_its_problems_so_a_worker_can_raise_it() -> None:
    error = ContractError(
        [
            Problem(
                "debtors", "outstanding", "a number >= 0", "-10.0", "fix the sign",
                rows=(3, 7), n_rows=2,
            )
        ]
    )  # fmt: skip
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is ContractError
    assert copy.problems == error.problems
    assert str(copy) == str(error)
    assert copy.columns() == {("debtors", "outstanding")}
