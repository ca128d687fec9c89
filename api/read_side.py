"""The one live read side of an api process: the views, kept current by one follower task.

Created in the app's lifespan and kept on `app.state.read_side`. Every read endpoint and the
WebSocket fan-out read the same `ExchangeView`, the account projections (`accounts`, an
AccountsView, among its projections) included, folded
from the shard's event stream by one `AsyncFollower`; nothing else in the api folds events.

- `add_listener(callback)`: called once per applied batch (one stream entry) with its events in
  seq order, after every projection applied them. A listener that raises is logged and counted,
  and neither the follower nor the other listeners stop.
- depth diffs are tracked (views/depth_diffs.py): the WebSocket fan-out takes them in its listener.
- `add_reseed_listener(callback)`: called with the new `last_seq` whenever the follower (re)starts
  from a snapshot or the genesis state (a subscriber's incremental state is void then).
- `wait_for_seq(seq, timeout_s)`: read-your-writes. A write route knows the seqs of its command's
  result events; a read that must see them waits until the view reached that seq.
- `note_write(account_id, events)` / `wait_for_account(account_id, timeout_s)`: the same per
  account within this process: the last seq each account's own command produced here, so a GET
  after a POST on the same process sees the POST's effect even though no seq is passed;
  `wait_for_own_writes(timeout_s)`: every write through this process, for the public reads.
"""

import asyncio
import heapq
import itertools
import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence

import redis.asyncio as aioredis

from api.history import HistoryReader
from matching.engine import Engine
from messages.commands import Command
from messages.events import Event
from streams.client import CommandClient
from streams.keys import ShardKeys
from views.accounts import AccountsView
from views.engine_state import genesis_engine
from views.exchange import ExchangeView
from views.follower import AsyncFollower
from views.metrics import ViewMetrics
from views.own_activity import OwnActivityView
from views.projection import Projection

log = logging.getLogger("perpx.api.read_side")

BatchListener = Callable[[list[Event]], None]
ReseedListener = Callable[[int], None]
_REMEMBERED_ACCOUNTS = 100_000  # the per-account write marks kept (least recently written go first)


class ReadSide:
    def __init__(
        self,
        client: aioredis.Redis,
        keys: ShardKeys,
        *,
        extra: Sequence[Projection] = (),
        history: HistoryReader | None = None,
        metrics: ViewMetrics | None = None,
        genesis: Callable[[], Engine] = genesis_engine,
    ) -> None:
        self.metrics = metrics if metrics is not None else ViewMetrics()
        self.accounts = AccountsView()  # balances, positions, open and recently closed orders
        self.own_activity = OwnActivityView()  # each account's recent fills and income
        self.view = ExchangeView(self.metrics, (self.accounts, self.own_activity, *extra), track_depth_diffs=True)
        self.history = history  # the indexer's SQL history (None: live and recent data only)
        self.follower = AsyncFollower(client, keys, self.view, metrics=self.metrics, genesis=genesis, lean_tail=True)
        self.listeners: list[BatchListener] = []
        self.reseed_listeners: list[ReseedListener] = []
        self.listener_errors = 0
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []  # heap by seq
        self._order = itertools.count()
        self._account_marks: OrderedDict[int, int] = OrderedDict()
        self.last_written_seq = 0  # the last seq any command through this process produced
        self.follower.core.listeners.append(self._applied)
        self.follower.core.seed_listeners.append(self._reseeded)

    # -- the interface -----------------------------------------------------------------------------

    @property
    def last_seq(self) -> int:
        return self.follower.last_seq

    def add_listener(self, callback: BatchListener) -> None:
        self.listeners.append(callback)

    def remove_listener(self, callback: BatchListener) -> None:
        if callback in self.listeners:
            self.listeners.remove(callback)

    def add_reseed_listener(self, callback: ReseedListener) -> None:
        self.reseed_listeners.append(callback)

    async def wait_for_seq(self, seq: int, timeout_s: float) -> bool:
        """True once the views applied every event up to `seq`; False if `timeout_s` passed first."""
        if self.last_seq >= seq:
            return True
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (seq, next(self._order), future))
        try:
            await asyncio.wait_for(asyncio.shield(future), timeout_s)
        except TimeoutError:
            return self.last_seq >= seq
        return True

    def note_write(self, account_id: int, events: Sequence[Event]) -> None:
        """Remember the last seq `account_id`'s own command produced (its reads wait for it)."""
        if not events:
            return
        seq = max(event.seq for event in events)
        self.last_written_seq = max(self.last_written_seq, seq)
        marks = self._account_marks
        if seq > marks.get(account_id, 0):
            marks[account_id] = seq
        marks.move_to_end(account_id)
        while len(marks) > _REMEMBERED_ACCOUNTS:
            marks.popitem(last=False)

    def note_events(self, events: Sequence[Event]) -> None:
        """A write of no account (an admin's): later reads of this process wait for it too."""
        if events:
            self.last_written_seq = max(self.last_written_seq, max(event.seq for event in events))

    async def wait_for_own_writes(self, timeout_s: float) -> bool:
        """Wait until the views show every write made through this process (any account's): what
        a public read waits for, so that one process never answers older than its own writes."""
        return await self.wait_for_seq(self.last_written_seq, timeout_s)

    def note_command(self, command: Command, events: list[Event]) -> None:
        """The gateway's observer: a command of an account's marks that account's last write."""
        account_id = getattr(command, "account_id", None)
        if isinstance(account_id, int):
            self.note_write(account_id, events)
        else:
            self.note_events(events)

    async def wait_for_account(self, account_id: int, timeout_s: float) -> bool:
        """Wait until the views show every write `account_id` made through this process."""
        return await self.wait_for_seq(self._account_marks.get(account_id, 0), timeout_s)

    def feed_results(self, commands: CommandClient) -> None:
        """Resolve `commands`' waiting results from this follower's entries, once the views applied
        them (so an acknowledged write is already visible to this process's reads). When the
        follower starts over from a snapshot, results in between may be lost: those waiting get
        a TimeoutError (execution status unknown) rather than wait out their timeout."""
        self.follower.core.listeners.append(lambda events: commands.take(events, []))
        self.follower.core.reply_listeners.append(lambda replies: commands.take([], replies))
        self.follower.core.seed_listeners.append(
            lambda _: commands.fail_pending("the api's reader of events started over from a snapshot")
        )

    async def start(self) -> None:
        """Catch up with the stream once (the first reads see the present), then follow it."""
        await self.follower.catch_up()
        self.follower.start()

    async def stop(self) -> None:
        await self.follower.stop()
        for _, _, future in self._waiters:
            future.cancel()
        self._waiters.clear()

    # -- from the follower -------------------------------------------------------------------------

    def _applied(self, events: list[Event]) -> None:
        for listener in tuple(self.listeners):
            try:
                listener(events)
            except Exception:
                self.listener_errors += 1
                log.exception("a read-side listener failed on events %d..%d", events[0].seq, events[-1].seq)
        self._release(self.last_seq)

    def _reseeded(self, last_seq: int) -> None:
        for listener in tuple(self.reseed_listeners):
            try:
                listener(last_seq)
            except Exception:
                self.listener_errors += 1
                log.exception("a read-side reseed listener failed at seq %d", last_seq)
        self._release(last_seq)

    def _release(self, last_seq: int) -> None:
        waiters = self._waiters
        while waiters and waiters[0][0] <= last_seq:
            _, _, future = heapq.heappop(waiters)
            if not future.done():
                future.set_result(None)
