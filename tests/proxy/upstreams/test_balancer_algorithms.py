"""The balancing algorithms on their own: no sockets, no clock."""

from __future__ import annotations

from collections import Counter

import pytest

from authgate.config import Target, Upstream
from authgate.proxy.upstreams.balancer import Balancer


def _balancer(weights: list[int], **upstream: object) -> Balancer:
    model = Upstream.model_validate(
        {"id": "00000000-0000-4000-8000-000000000001", "name": "backend", **upstream}
    )
    targets = [
        Target.model_validate(
            {"id": f"00000000-0000-4000-8000-{i:012d}", "target": f"10.0.0.{i}:80", "weight": w}
        )
        for i, w in enumerate(weights, start=1)
    ]
    return Balancer(model, targets)


@pytest.mark.parametrize("weights", [[5, 3, 2], [1, 1, 1], [100, 1], [7, 0, 3], [65535, 2]])
def test_round_robin_gives_exact_weights_over_one_cycle(weights: list[int]) -> None:
    balancer = _balancer(weights)
    picks = Counter(balancer.pick() for _ in range(sum(weights)))
    assert picks == {i: w for i, w in enumerate(weights) if w}


def test_round_robin_interleaves_instead_of_running_in_blocks() -> None:
    balancer = _balancer([5, 1, 1])
    assert [balancer.pick() for _ in range(7)] == [0, 0, 1, 0, 2, 0, 0]


def test_a_retry_prefers_targets_not_tried_yet() -> None:
    balancer = _balancer([1, 1, 1])
    assert balancer.pick(None, [0]) != 0
    assert balancer.pick(None, [0, 1]) == 2
    assert balancer.pick(None, [0, 1, 2]) in (0, 1, 2)  # nothing else: tried ones again


def test_unhealthy_targets_are_skipped_and_none_left_is_minus_one() -> None:
    balancer = _balancer([1, 1])
    balancer.peers[0].health.set(False)
    assert {balancer.pick() for _ in range(4)} == {1}
    balancer.peers[1].health.set(False)
    assert balancer.pick() == -1


def test_threshold_refuses_every_target_below_the_healthy_share() -> None:
    balancer = _balancer([50, 30, 20], healthchecks={"threshold": 60})
    balancer.peers[1].health.set(False)  # 70% healthy
    assert balancer.pick() in (0, 2)
    balancer.peers[2].health.set(False)  # 50% healthy
    assert balancer.pick() == -1


def test_least_connections_follows_in_flight_requests_relative_to_weight() -> None:
    balancer = _balancer([1, 1, 2], algorithm="least-connections")
    balancer.peers[0].in_flight = 3
    balancer.peers[1].in_flight = 1
    balancer.peers[2].in_flight = 2  # scores (n + 1) / weight: 4, 2, 1.5
    assert balancer.pick() == 2
    balancer.peers[2].in_flight = 4
    assert balancer.pick() == 1


def test_consistent_hashing_is_stable_and_moves_only_to_an_added_target() -> None:
    hashing = {"algorithm": "consistent-hashing", "hash_on": "ip"}
    before = _balancer([100, 100, 100], **hashing)
    after = _balancer([100, 100, 100, 100], **hashing)
    keys = [f"client-{i}" for i in range(2000)]
    old = {key: before.pick(key) for key in keys}
    assert old == {key: before.pick(key) for key in keys}  # stable
    new = {key: after.pick(key) for key in keys}
    moved = [key for key in keys if new[key] != old[key]]
    assert all(new[key] == 3 for key in moved)  # only to the new target
    assert 0.18 < len(moved) / len(keys) < 0.32  # about a quarter


def test_consistent_hashing_follows_the_weights() -> None:
    balancer = _balancer([300, 100], algorithm="consistent-hashing", hash_on="ip")
    share = Counter(balancer.pick(f"k{i}") for i in range(4000))
    assert 0.7 < share[0] / 4000 < 0.8


def test_consistent_hashing_moves_keys_of_an_unhealthy_target_and_back() -> None:
    balancer = _balancer([1, 1, 1], algorithm="consistent-hashing", hash_on="ip")
    keys = [f"k{i}" for i in range(300)]
    old = {key: balancer.pick(key) for key in keys}
    balancer.peers[0].health.set(False)
    during = {key: balancer.pick(key) for key in keys}
    assert all(during[k] != 0 for k in keys)
    assert all(during[k] == old[k] for k in keys if old[k] != 0)
    balancer.peers[0].health.set(True)
    assert {key: balancer.pick(key) for key in keys} == old


def test_consistent_hashing_without_a_value_is_round_robin() -> None:
    balancer = _balancer([1, 1], algorithm="consistent-hashing", hash_on="ip")
    assert [balancer.pick(None) for _ in range(4)] == [0, 1, 0, 1]
