"""CommandWindow: the command ids the engine remembers, to answer a repeat with its first result.

Ids are kept in two generations: new ones join `recent`; when it holds `size` ids it becomes
`older` (the previous older generation is dropped whole) and a new one starts. So every id is
remembered for at least `size` commands after it, and nothing is deleted one by one.

Each generation is a fixed open-addressing table of native 64-bit integers (librt's `vec[i64]`,
which mypyc reads and writes as a C array): per slot, the id's string hash and its place in the
generation's list of ids. With the default 100,000-id window the tables are larger than the CPU's
caches, so what a lookup costs is its cache misses. A dict of the same ids took more: its index
and its entries are separate arrays (a miss in each), it grows by rebuilding its index (a miss per
id), and each remembered result was an int object of its own. Here a probe is one miss, the table
never grows (a dropped generation's table is reused: see `Generation`), and the results sit in a
vec of their own, in arrival order. A hash match is confirmed against the id itself, so the window's
answers never depend on hash collisions, nor on the process's string hash seed.
"""

from typing import Final

from librt.vecs import append, vec
from mypy_extensions import i64

SLOT_WIDTH: Final[i64] = 2  # per slot: the id's hash, then its tag (epoch << 32 | place in ids + 1)
PLACE_MASK: Final[i64] = 0xFFFFFFFF
LAST_EPOCH: Final[i64] = (1 << 30) - 1  # then the table is zeroed and epochs start again at 1


def table_slots(size: i64) -> i64:
    """A power of two of at least twice the ids a generation holds: probes stay short."""
    n: i64 = 8
    while n < 2 * size:
        n *= 2
    return n


def id_hash(command_id: str) -> i64:
    h: i64 = hash(command_id)
    return h


class Generation:
    """One generation's ids: a table to find them, and their results in arrival order (two
    words each: the first seq of the command's events, and how many there were).

    A slot belongs to the generation only if its tag carries the current `epoch`: a dropped
    generation's table is reused by moving to the next epoch, which frees every slot at once
    without writing the table (zeroing 4 MB was a cache miss per 64 bytes)."""

    __slots__ = ("count", "epoch", "ids", "mask", "results", "table")

    def __init__(self, slots: i64, size: i64) -> None:
        self.table: vec[i64] = vec[i64]([0] * (SLOT_WIDTH * slots))
        self.mask: i64 = slots - 1
        self.epoch: i64 = 1  # the zeroed table's tags carry epoch 0: every slot is free
        self.count: i64 = 0  # ids in this generation; `ids` is allocated whole, once
        self.ids: list[str] = [""] * size
        self.results: vec[i64] = vec[i64](capacity=2 * size)

    def find(self, command_id: str, h: i64) -> i64:
        """The id's place in `ids`, or -1."""
        table = self.table
        mask = self.mask
        epoch = self.epoch
        slot = h & mask
        while True:
            tag = table[SLOT_WIDTH * slot + 1]
            if tag >> 32 != epoch:
                return -1
            if table[SLOT_WIDTH * slot] == h:
                place = (tag & PLACE_MASK) - 1
                if self.ids[place] == command_id:
                    return place
            slot = (slot + 1) & mask

    def add(self, command_id: str, h: i64, first_seq: i64, count: i64) -> None:
        """Enter an id that is not in the generation (which has room for it)."""
        table = self.table
        mask = self.mask
        epoch = self.epoch
        slot = h & mask
        while table[SLOT_WIDTH * slot + 1] >> 32 == epoch:
            slot = (slot + 1) & mask
        place = self.count
        self.ids[place] = command_id
        self.count = place + 1
        self.results = append(append(self.results, first_seq), count)
        table[SLOT_WIDTH * slot] = h
        table[SLOT_WIDTH * slot + 1] = epoch << 32 | (place + 1)

    def clear(self) -> None:
        """Forget every id: a new epoch frees every slot; the ids' strings are let go."""
        self.epoch += 1
        if self.epoch > LAST_EPOCH:  # after a billion generations (of one id each, at the least)
            table = self.table
            for i in range(len(table)):
                table[i] = 0
            self.epoch = 1
        self.count = 0
        self.ids = [""] * len(self.ids)
        self.results = vec[i64](capacity=len(self.ids) * 2)

    def live_ids(self) -> list[str]:
        return self.ids[: self.count]


class CommandWindow:
    """command id -> (first seq, event count), for at least the last `size` ids."""

    __slots__ = ("last_hash", "last_id", "older", "recent", "size")

    def __init__(self, size: int) -> None:
        self.size = size  # 0 or less: nothing is remembered
        capacity = max(size, 1)
        slots = table_slots(capacity)
        self.recent = Generation(slots, capacity)
        self.older = Generation(slots, capacity)
        # the id `seen` last hashed, and its hash: the engine remembers that id next
        self.last_id = ""
        self.last_hash: i64 = 1

    def __len__(self) -> int:
        return int(self.recent.count + self.older.count)

    def seen(self, command_id: str) -> bool:
        h = id_hash(command_id)
        self.last_id = command_id
        self.last_hash = h
        return self.recent.find(command_id, h) >= 0 or (self.older.count > 0 and self.older.find(command_id, h) >= 0)

    def remember(self, command_id: str, first_seq: int, count: int) -> None:
        """Remember a new id and where its events are; at `size` new ids, a new generation."""
        if self.size <= 0:
            return
        recent = self.recent
        h = self.last_hash if command_id is self.last_id else id_hash(command_id)
        recent.add(command_id, h, first_seq, count)
        if recent.count >= self.size:
            dropped = self.older
            dropped.clear()
            self.older = recent
            self.recent = dropped

    def result_range(self, command_id: str) -> tuple[int, int] | None:
        """(first seq, event count) of a remembered command."""
        h = id_hash(command_id)
        for generation in (self.recent, self.older):
            index = generation.find(command_id, h)
            if index >= 0:
                results = generation.results
                return int(results[2 * index]), int(results[2 * index + 1])
        return None

    def items(self) -> list[tuple[str, int, int]]:
        """(command id, first seq, event count), oldest first: remembering them again in this
        order rebuilds both generations exactly (the older one always holds a full window)."""
        found: list[tuple[str, int, int]] = []
        for generation in (self.older, self.recent):
            results = generation.results
            for index, command_id in enumerate(generation.live_ids()):
                found.append((command_id, int(results[2 * index]), int(results[2 * index + 1])))
        return found

    def check_invariants(self) -> None:
        recent, older = self.recent, self.older
        assert recent.count < max(1, self.size), "the newer generation is full"
        assert older.count in (0, self.size), "the older generation is not one window"
        assert not set(recent.live_ids()) & set(older.live_ids()), "an id remembered twice"
        for generation in (recent, older):
            assert len(generation.results) == 2 * generation.count
            assert all(i == "" for i in generation.ids[generation.count :]), "a forgotten id still held"
            table = generation.table
            if len(table) <= 1 << 14:  # a test's small window: the whole table is checked
                tags = [table[i + 1] for i in range(0, len(table), SLOT_WIDTH)]
                used = sum(1 for tag in tags if tag >> 32 == generation.epoch)
                assert used == generation.count, "the table and the id list disagree"
            for index, command_id in enumerate(generation.live_ids()):
                assert generation.find(command_id, id_hash(command_id)) == index, "an id its table cannot find"
