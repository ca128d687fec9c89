"""CommandWindow against a naive reference: two generations of ids kept in plain lists."""

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.command_window import CommandWindow


class NaiveWindow:
    """The same rule, stated plainly: every id joins `recent`; at `size` ids, `recent` becomes
    `older` and the previous `older` is forgotten."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.recent: list[tuple[str, int, int]] = []
        self.older: list[tuple[str, int, int]] = []

    def seen(self, command_id: str) -> bool:
        return self.result_range(command_id) is not None

    def remember(self, command_id: str, first_seq: int, count: int) -> None:
        if self.size <= 0:
            return
        self.recent.append((command_id, first_seq, count))
        if len(self.recent) >= self.size:
            self.older, self.recent = self.recent, []

    def result_range(self, command_id: str) -> tuple[int, int] | None:
        for remembered, first_seq, count in self.older + self.recent:
            if remembered == command_id:
                return first_seq, count
        return None

    def items(self) -> list[tuple[str, int, int]]:
        return self.older + self.recent


class Colliding(str):
    """An id whose hash is chosen: equal hashes make the window confirm a match by the id itself."""

    def __new__(cls, text: str, hash_value: int) -> "Colliding":
        made = super().__new__(cls, text)
        made.hash_value = hash_value
        return made

    def __hash__(self) -> int:
        return self.hash_value


def run(size: int, ids: list[str], steps: list[tuple[int, int]]) -> None:
    window, naive = CommandWindow(size), NaiveWindow(size)
    seq = 1
    for pick, count in steps:
        command_id = ids[pick % len(ids)]
        seen = window.seen(command_id)
        assert seen == naive.seen(command_id)
        if not seen:  # as the engine does: a new id is applied, then remembered
            window.remember(command_id, seq, count)
            naive.remember(command_id, seq, count)
            seq += count + 1
        for probe in ids:
            assert window.result_range(probe) == naive.result_range(probe)
        assert window.items() == naive.items()
        assert len(window) == len(naive.items())
        window.check_invariants()


steps = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 5)), max_size=120)


@settings(max_examples=150)
@given(st.integers(-1, 6), steps)
def test_window_agrees_with_naive(size: int, plan: list[tuple[int, int]]) -> None:
    run(size, [f"cmd-{i}" for i in range(25)], plan)


@settings(max_examples=100)
@given(st.integers(1, 6), steps, st.sampled_from([0, 1, 7, -3, 2**62, -(2**63) + 5]))
def test_equal_hashes_are_told_apart_by_the_id(size: int, plan: list[tuple[int, int]], shared: int) -> None:
    ids = [Colliding(f"cmd-{i}", shared if i % 3 else i) for i in range(25)]
    run(size, ids, plan)


def test_an_id_is_kept_for_a_window_then_forgotten_and_tables_are_reused() -> None:
    window = CommandWindow(3)
    window.remember("a", 1, 2)
    for n in range(3):  # "a" is in the older generation after three more
        window.remember(f"b{n}", 10 + n, 1)
        assert window.result_range("a") == (1, 2)
    for n in range(50):  # many generations later the same two tables are still in use
        window.remember(f"c{n}", 100 + n, 0)
        window.check_invariants()
    assert not window.seen("a")
    assert window.result_range("c49") == (149, 0)
    assert [i for i, _, _ in window.items()] == ["c47", "c48", "c49"]  # 54 ids: 18 whole generations


def test_large_sequence_numbers_are_kept_whole() -> None:
    window = CommandWindow(4)
    window.remember("late", 2**40 + 7, 2**33)
    assert window.result_range("late") == (2**40 + 7, 2**33)


def test_epochs_start_again_on_a_zeroed_table() -> None:
    window = CommandWindow(2)
    window.recent.epoch = window.older.epoch = (1 << 30) - 1  # as after a billion generations
    for n in range(9):
        window.remember(f"id-{n}", n + 1, 1)
        window.check_invariants()
    assert window.recent.epoch < 10 and window.older.epoch < 10
    assert [i for i, _, _ in window.items()] == ["id-6", "id-7", "id-8"]
    assert not window.seen("id-5") and window.seen("id-8")
