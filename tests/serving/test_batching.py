"""The micro-batcher's wait policy, the worker setting and the heap settling, in-process."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Iterator, Sequence

import pytest

from collectscore._errors import ConfigError
from collectscore.serving import ENV, ServiceConfig
from collectscore.serving._batching import ACTIVITY, MicroBatcher


class Recorder:
    """A processor that records the jobs of each batch and takes ``seconds`` per batch."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds
        self.batches: list[list[str]] = []

    def __call__(self, jobs: Sequence[str]) -> list[str]:
        self.batches.append(list(jobs))
        time.sleep(self.seconds)
        return [f"done {job}" for job in jobs]


@pytest.fixture(autouse=True)
def no_arrivals() -> Iterator[None]:
    ACTIVITY.n = 0
    yield
    ACTIVITY.n = 0


def test_requests_queued_together_are_scored_in_one_batch_and_each_gets_its_outcome() -> None:
    recorder = Recorder()

    async def scenario() -> list[str]:
        batcher = MicroBatcher(recorder, max_rows=100, max_wait_ms=20)
        try:
            return await asyncio.gather(*(batcher.submit(f"r{i}", 1) for i in range(8)))
        finally:
            batcher.close()

    assert asyncio.run(scenario()) == [f"done r{i}" for i in range(8)]
    assert recorder.batches == [[f"r{i}" for i in range(8)]]


def test_clients_coming_back_a_few_ms_apart_are_scored_together_not_in_two_cohorts() -> None:
    # 8 clients, each sending its next request 1-8 ms after its answer: without waiting for
    # them, the first to come back would be scored alone and the others after it
    recorder = Recorder(seconds=0.01)

    async def client(batcher: MicroBatcher, i: int) -> None:
        await batcher.submit(f"first {i}", 1)
        await asyncio.sleep(0.001 * (i + 1))
        await batcher.submit(f"second {i}", 1)

    async def scenario() -> None:
        batcher = MicroBatcher(recorder, max_rows=100, max_wait_ms=200)
        try:
            await asyncio.gather(*(client(batcher, i) for i in range(8)))
        finally:
            batcher.close()

    asyncio.run(scenario())
    assert [len(b) for b in recorder.batches] == [8, 8]
    assert all(job.startswith("second") for job in recorder.batches[1])


def test_the_wait_for_clients_that_do_not_come_back_ends_after_max_wait_ms() -> None:
    recorder = Recorder()

    async def scenario() -> float:
        batcher = MicroBatcher(recorder, max_rows=100, max_wait_ms=30)
        try:
            await asyncio.gather(*(batcher.submit(f"r{i}", 1) for i in range(8)))
            start = time.perf_counter()
            await batcher.submit("alone", 1)  # the 7 others never come back
            return time.perf_counter() - start
        finally:
            batcher.close()

    elapsed = asyncio.run(scenario())
    assert [len(b) for b in recorder.batches] == [8, 1]
    assert elapsed < 0.03 + 0.05


def test_a_trickle_of_requests_does_not_hold_a_batch_longer_than_about_a_batch() -> None:
    # 8 requests scored together (20 ms), then 8 more one every 10 ms: each arrives before
    # the 30 ms pause that would end the wait, but the batch starts after 30 + 20 ms
    recorder = Recorder(seconds=0.02)

    async def trickle(batcher: MicroBatcher) -> float:
        start = time.perf_counter()
        first = asyncio.ensure_future(batcher.submit("t0", 1))
        others = []
        for i in range(1, 8):
            await asyncio.sleep(0.01)
            others.append(asyncio.ensure_future(batcher.submit(f"t{i}", 1)))
        await first
        elapsed = time.perf_counter() - start
        await asyncio.gather(*others)
        return elapsed

    async def scenario() -> float:
        batcher = MicroBatcher(recorder, max_rows=100, max_wait_ms=30)
        try:
            await asyncio.gather(*(batcher.submit(f"r{i}", 1) for i in range(8)))
            return await trickle(batcher)
        finally:
            batcher.close()

    first_done = asyncio.run(scenario())
    assert len(recorder.batches) >= 3, recorder.batches  # not all 8 of the trickle at once
    assert len(recorder.batches[1]) < 8
    assert first_done < 0.03 + 0.02 + 0.02 + 0.06


def test_a_lone_request_at_low_load_is_scored_at_once() -> None:
    recorder = Recorder()

    async def scenario() -> list[float]:
        batcher = MicroBatcher(recorder, max_rows=100, max_wait_ms=500)
        times = []
        try:
            for i in range(5):
                start = time.perf_counter()
                await batcher.submit(f"r{i}", 1)
                times.append(time.perf_counter() - start)
        finally:
            batcher.close()
        return times

    assert max(asyncio.run(scenario())) < 0.1  # far below the 500 ms the batcher may wait
    assert [len(b) for b in recorder.batches] == [1] * 5


def test_a_request_still_being_read_is_waited_for_and_joins_the_batch() -> None:
    recorder = Recorder()

    async def late() -> str:
        await asyncio.sleep(0.005)  # reading and validating its body
        ACTIVITY.leave()
        return await batcher.submit("late", 1)

    async def scenario() -> None:
        nonlocal batcher
        batcher = MicroBatcher(recorder, max_rows=100, max_wait_ms=200)
        try:
            ACTIVITY.arrive()  # the gate saw it arrive
            await asyncio.gather(batcher.submit("early", 1), late())
        finally:
            batcher.close()

    batcher: MicroBatcher
    asyncio.run(scenario())
    assert recorder.batches == [["early", "late"]]


def test_a_batch_never_exceeds_max_rows_debtors() -> None:
    recorder = Recorder()

    async def scenario() -> None:
        batcher = MicroBatcher(recorder, max_rows=10, max_wait_ms=20)
        try:
            await asyncio.gather(*(batcher.submit(f"r{i}", 4) for i in range(5)))
        finally:
            batcher.close()

    asyncio.run(scenario())
    assert [len(b) for b in recorder.batches] == [2, 2, 1]


def test_workers_come_from_the_environment_and_default_to_one() -> None:
    assert ServiceConfig.from_env({}).workers == 1
    assert ServiceConfig.from_env({ENV["workers"]: "2"}).workers == 2
    with pytest.raises(ConfigError, match=ENV["workers"]):
        ServiceConfig.from_env({ENV["workers"]: "0"})


def test_several_workers_need_the_periodic_model_check() -> None:
    # POST /reload reaches one worker: the others would keep the old models for good
    with pytest.raises(ConfigError, match=ENV["reload_interval_s"]) as caught:
        ServiceConfig(workers=2, reload_interval_s=0)
    assert ENV["workers"] in str(caught.value)
    assert ServiceConfig(workers=2, reload_interval_s=30).workers == 2


def test_settling_the_heap_hides_the_loaded_objects_from_the_garbage_collector() -> None:
    from collectscore.serving.service import _settle_heap

    try:
        _settle_heap()
        assert gc.get_freeze_count() > 10_000
        assert gc.get_count()[0] < 100
    finally:
        gc.unfreeze()
