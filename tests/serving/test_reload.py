"""Moving the champion alias: the service picks up the new version without dropping requests."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import mlflow
from serving_helpers import Server

from collectscore.tracking import TrackingConfig


def _new_champion(store: Path, name: str = "propensity") -> str:
    """Register the champion's model again as a new version and move the alias to it."""
    uri = TrackingConfig(root=store).resolved_uri()
    client = mlflow.MlflowClient(uri, uri)
    current = client.get_model_version_by_alias(name, "champion")
    created = client.create_model_version(
        name, source=current.source, run_id=current.run_id, model_id=current.model_id
    )
    client.set_registered_model_alias(name, "champion", created.version)
    return str(created.version)


def test_a_promoted_model_is_served_after_reload_and_in_flight_requests_finish(
    server: Server, store: Path, raw_request: dict
) -> None:
    before = server.get("/model").json()["models"]["propensity"]["version"]
    assert server.post("/reload", None).json()["reloaded"] is False  # nothing moved yet
    version = _new_champion(store)
    assert version != before
    one = {"debtors": raw_request["debtors"][:2], "now": raw_request["now"]}
    with ThreadPoolExecutor(6) as pool:
        in_flight = [pool.submit(server.post, "/score", one) for _ in range(6)]
        reload = server.post("/reload", None)
        answers = [f.result() for f in in_flight]
    assert reload.status_code == 200 and reload.json()["reloaded"] is True
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    served = {d["models"]["propensity"]["version"] for a in answers for d in a.json()["debtors"]}
    assert served <= {before, version}

    card = server.get("/model").json()["models"]["propensity"]
    assert card["version"] == version and "champion" in card["aliases"]
    after = server.post("/score", one).json()["debtors"]
    assert {d["models"]["propensity"]["version"] for d in after} == {version}
