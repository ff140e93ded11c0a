"""Adaptive batching: requests that arrive while a batch is being scored form the next one.

At low load a request is scored at once (a batch of one); under load the requests queued
during a batch are scored together, which spreads the fixed cost of a pipeline call (frames,
strategy, rule packs) over all of them. Before starting a batch the batcher waits for

- the requests that have already reached the server (``ACTIVITY``, counted by the gate) but
  are still being read and validated;
- as many requests as the previous batch had: the clients just answered usually send their
  next request at once. Without this wait the requests split into alternating cohorts (a
  batch of 15, then a batch of 1 that arrived meanwhile, ...): twice the fixed cost, and every
  request waits for the other cohort's batch as well as its own.

It waits only while requests keep coming (``max_wait_ms`` without an arrival ends the wait)
and never longer than ``max_wait_ms`` plus the time the previous batch took: a batch started
earlier would keep the requests arriving meanwhile waiting about that long anyway. At low
load (batches of one, nothing arriving) a request is scored at once.

Jobs are grouped by their options (and ``now``); a group that fails is retried job by job, so
one bad request never fails the others.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from collections.abc import Callable, Sequence
from typing import Any

Processor = Callable[[Sequence[Any]], Sequence[Any]]


class Activity:
    """Scoring requests that reached the server and are not queued for scoring yet (being
    read and validated; one process)."""

    def __init__(self) -> None:
        self.n = 0
        self.last = 0.0  # time.monotonic() of the latest arrival

    def arrive(self) -> None:
        self.n += 1
        self.last = time.monotonic()

    def leave(self) -> None:
        self.n = max(0, self.n - 1)


#: Shared by the gate (arrivals) and the service (departures); the event loop's thread only.
ACTIVITY = Activity()


class MicroBatcher:
    """Queue jobs from the event loop; score them in batches on one worker thread."""

    def __init__(self, process: Processor, *, max_rows: int, max_wait_ms: float = 20.0) -> None:
        self._process = process
        self._max_rows = max_rows
        self._max_wait = max_wait_ms / 1000.0
        self._queue: asyncio.Queue[tuple[Any, int, asyncio.Future[Any]]] | None = None
        self._task: asyncio.Task[None] | None = None
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="scoring")
        self.batches = 0
        self.jobs = 0

    async def submit(self, job: Any, rows: int) -> Any:
        """The outcome of ``job`` (``rows``: its debtors, to cap the batch size)."""
        loop = asyncio.get_running_loop()
        if self._queue is None or self._task is None or self._task.done():
            self._queue = asyncio.Queue()
            self._task = loop.create_task(self._run())
        future: asyncio.Future[Any] = loop.create_future()
        await self._queue.put((job, rows, future))
        return await future

    async def _run(self) -> None:
        assert self._queue is not None
        queue = self._queue
        loop = asyncio.get_running_loop()
        expected = 1  # jobs in the previous batch: their clients are likely to come back
        took = 0.0  # seconds the previous batch took
        while True:
            first = await queue.get()
            batch = [first]
            rows = first[1]
            start = progress = time.monotonic()
            while rows < self._max_rows:
                if queue.empty():
                    # requests on their way (arrived and being read, or about to come back
                    # from the clients just answered): worth a short wait while they keep
                    # coming, and never longer than about a batch
                    now = time.monotonic()
                    waiting = ACTIVITY.n > 0 or len(batch) < expected
                    quiet = now - max(progress, ACTIVITY.last) >= self._max_wait
                    if not waiting or quiet or now - start >= self._max_wait + took:
                        break
                    await asyncio.sleep(0.0005)
                    continue
                item = queue.get_nowait()
                progress = time.monotonic()
                if rows + item[1] > self._max_rows:
                    # too big to join: it starts the next batch
                    expected, took = len(batch), await self._run_batch(loop, batch)
                    batch, rows = [item], item[1]
                    start = progress = time.monotonic()
                    continue
                batch.append(item)
                rows += item[1]
            expected, took = len(batch), await self._run_batch(loop, batch)

    async def _run_batch(
        self, loop: asyncio.AbstractEventLoop, batch: list[tuple[Any, int, asyncio.Future[Any]]]
    ) -> float:
        """Score ``batch`` on the worker thread; the seconds it took."""
        started = time.monotonic()
        jobs = [job for job, _, _ in batch]
        try:
            outcomes = await loop.run_in_executor(self._pool, self._process, jobs)
        except BaseException as exc:  # the processor reports per job; this is a bug
            outcomes = [exc] * len(jobs)
        self.batches += 1
        self.jobs += len(jobs)
        for (_, _, future), outcome in zip(batch, outcomes, strict=True):
            if not future.done():
                future.set_result(outcome)
        return time.monotonic() - started

    def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)
