"""Group commit for the public intake: concurrent requests share one transaction.

`IntakeBatcher.submit` puts an intake on an asyncio queue and waits for its own result. One
consumer task takes whatever is waiting (up to `max_batch`) and opens the lot with ONE call of
`open_batch` (in production `services.tickets.open_tickets`, one commit) in a worker thread,
then hands each waiter its own ticket or its own error. There is no sleep window: with nothing
else waiting a single intake goes straight through, and while a batch commits, new arrivals
gather for the next one, so the batch size grows with the load (one fsync per batch, not per
ticket). A waiter's answer is sent only after the commit returned, so a 201 means durable.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence

from tierdesk.services.tickets import Intake, Opened

OpenBatch = Callable[[Sequence[Intake]], Sequence[Opened | Exception]]
_Item = tuple[Intake, "asyncio.Future[Opened]"]


class IntakeBatcher:
    """Gathers concurrent intakes into shared commits (see the module doc)."""

    def __init__(self, open_batch: OpenBatch, max_batch: int = 200) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be >= 1")
        self._open_batch = open_batch
        self.max_batch = max_batch
        self.batches = 0  # how many calls of open_batch so far (for tests and benchmarks)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[_Item] | None = None
        self._task: asyncio.Task[None] | None = None

    async def submit(self, intake: Intake) -> Opened:
        """Open `intake` in the next batch; raises its own error."""
        queue = self._ensure_consumer()
        future: asyncio.Future[Opened] = asyncio.get_running_loop().create_future()
        await queue.put((intake, future))
        return await future

    def _ensure_consumer(self) -> asyncio.Queue[_Item]:
        # The consumer belongs to the running loop; a new loop (a test client's) gets its own.
        loop = asyncio.get_running_loop()
        if self._queue is None or self._loop is not loop or self._task is None or self._task.done():
            self._loop = loop
            self._queue = asyncio.Queue()
            self._task = loop.create_task(self._consume(self._queue), name="intake-batcher")
        return self._queue

    async def _consume(self, queue: asyncio.Queue[_Item]) -> None:
        while True:
            batch = [await queue.get()]
            while len(batch) < self.max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            await self._run(batch)

    async def _run(self, batch: list[_Item]) -> None:
        self.batches += 1
        try:
            results = await asyncio.to_thread(self._open_batch, [intake for intake, _ in batch])
        except Exception as exc:  # the store failed: every waiter of this batch gets the error
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if future.done():  # the client went away; its ticket is committed all the same
                continue
            if isinstance(result, Exception):  # this intake alone failed
                future.set_exception(result)
            else:
                future.set_result(result)

    async def aclose(self) -> None:
        """Stop the consumer (at app shutdown). Waiters still queued are cancelled."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, RuntimeError):
                await task
