"""The shards of a key's window split every limit exactly: together they admit the limit,
never more, whatever the limit and however many shards there are."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shared.http.distributed_limits import SHARDS, shard_share


@given(limit=st.integers(min_value=0, max_value=100_000), shards=st.integers(1, 64))
def test_the_shares_add_up_to_the_limit_and_differ_by_at_most_one(limit: int, shards: int) -> None:
    shares = [shard_share(limit, shard, shards) for shard in range(shards)]
    assert sum(shares) == limit
    assert max(shares) - min(shares) <= 1


def test_a_limit_smaller_than_the_shards_leaves_some_shards_empty() -> None:
    assert [shard_share(3, shard) for shard in range(SHARDS)].count(0) == SHARDS - 3
