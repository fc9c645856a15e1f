"""Kong's ring-balancer for upstreams: pick a target per request, per worker.

Algorithms (Kong 3.x ``algorithm``):

- ``round-robin``: smooth weighted round-robin (nginx's): deterministic, and over
  ``sum(weights)`` picks every target gets exactly its weight, spread out, not in runs.
- ``least-connections``: the target with the fewest requests in flight in this worker,
  relative to its weight; ties go round the targets.
- ``consistent-hashing``: weighted rendezvous hashing of the ``hash_on`` (or
  ``hash_fallback``) value: a value always maps to the same target, and adding a target only
  moves the values that now belong to it. Without a value it falls back to round-robin, as
  Kong does.

Targets with weight 0 and unhealthy targets (:mod:`authgate.proxy.upstreams.target_health`)
are skipped. A retry after a connect error asks for a peer again with the targets already
tried excluded (Kong retries on the next target). No I/O here.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from authgate.http1.errors import UpstreamError
from authgate.proxy.upstreams.target_health import TargetHealth

if TYPE_CHECKING:
    from authgate.config.upstreams import Target, Upstream

__all__ = ["NO_PEER", "Balancer", "NoPeerError", "Peer", "hash_value"]

NO_PEER = "failure to get a peer from the ring-balancer"
MAX_CACHED_HASHES = 4096


class NoPeerError(UpstreamError):
    """No target can take the request (none configured, all weight 0 or unhealthy): 503."""

    def __init__(self, upstream: str) -> None:
        super().__init__("no_peer", 503, f"upstream {upstream}: {NO_PEER}")


class Peer:
    """One target of an upstream: its address, weight and what this worker knows of it."""

    __slots__ = ("current", "health", "host", "id", "in_flight", "port", "salt", "target", "weight")

    def __init__(self, target: Target) -> None:
        self.id = target.id
        self.target = target.target
        self.host, self.port = target.address
        self.weight = target.weight
        self.health = TargetHealth()
        self.in_flight = 0
        self.current = 0  # smooth round-robin state
        self.salt = target.target.encode() + b"\n"

    @property
    def usable(self) -> bool:
        """Whether the peer may get traffic: a weight above 0 and healthy."""
        return self.weight > 0 and self.health.healthy


class Balancer:
    """The peers of one upstream and the algorithm picking among them."""

    def __init__(self, upstream: Upstream, targets: Sequence[Target]) -> None:
        self.upstream = upstream
        self.name = upstream.name
        self.peers = tuple(Peer(target) for target in targets)
        for peer in self.peers:
            peer.health.on_change = self._health_changed
        self.threshold = upstream.healthchecks.threshold
        self._hashes: dict[str, int] = {}
        self._next = 0  # least-connections tie breaking
        algorithm = upstream.algorithm
        self._by_hash = algorithm == "consistent-hashing"
        self._least = algorithm == "least-connections"

    def _health_changed(self) -> None:
        self._hashes.clear()

    def pick(self, key: str | None = None, tried: Sequence[int] = ()) -> int:
        """The index of the peer for this request, or -1 when none is usable.

        ``key`` is the hash input (consistent-hashing only); ``tried`` are peers that already
        failed this request: others are preferred, but they are used again if nothing else is.
        """
        usable = [i for i, peer in enumerate(self.peers) if peer.usable]
        if not usable or not self._above_threshold():
            return -1
        if tried:
            fresh = [i for i in usable if i not in tried]
            usable = fresh or usable
        if self._by_hash and key is not None:
            return self._by_key(key, usable, not tried)
        if self._least:
            return self._least_loaded(usable)
        return self._round_robin(usable)

    def _above_threshold(self) -> bool:
        if not self.threshold:
            return True
        total = sum(peer.weight for peer in self.peers)
        healthy = sum(peer.weight for peer in self.peers if peer.usable)
        return total > 0 and healthy * 100 >= self.threshold * total

    def _round_robin(self, usable: list[int]) -> int:
        peers = self.peers
        total = 0
        best = -1
        best_current = 0
        for index in usable:
            peer = peers[index]
            peer.current += peer.weight
            total += peer.weight
            if best < 0 or peer.current > best_current:
                best, best_current = index, peer.current
        peers[best].current -= total
        return best

    def _least_loaded(self, usable: list[int]) -> int:
        peers = self.peers
        count = len(usable)
        start = self._next % count
        self._next += 1
        best = -1
        best_score = 0.0
        for offset in range(count):
            index = usable[(start + offset) % count]
            peer = peers[index]
            score = (peer.in_flight + 1) / peer.weight
            if best < 0 or score < best_score:
                best, best_score = index, score
        return best

    def _by_key(self, key: str, usable: list[int], cache: bool) -> int:
        if cache:
            index = self._hashes.get(key)
            if index is not None:
                return index
        data = key.encode()
        best = -1
        best_score = 0.0
        for index in usable:
            peer = self.peers[index]
            digest = hashlib.blake2b(peer.salt + data, digest_size=8).digest()
            # A uniform number in (0, 1]; -weight/ln(u) is weighted rendezvous hashing.
            unit = (int.from_bytes(digest, "big") + 1) / 2**64
            score = -peer.weight / math.log(unit) if unit < 1 else math.inf
            if best < 0 or score > best_score:
                best, best_score = index, score
        if cache:
            if len(self._hashes) >= MAX_CACHED_HASHES:
                self._hashes.clear()
            self._hashes[key] = best
        return best


def hash_value(
    upstream: Upstream,
    peer_ip: str,
    header: Callable[[str], str | None],
    consumer_id: str | None,
) -> str | None:
    """The consistent-hashing input of a request: ``hash_on``, else ``hash_fallback``."""
    for source, name in (
        (upstream.hash_on, upstream.hash_on_header),
        (upstream.hash_fallback, upstream.hash_fallback_header),
    ):
        if source == "ip":
            value: str | None = peer_ip or None
        elif source == "header" and name is not None:
            value = header(name)
        elif source == "consumer":
            value = consumer_id
        else:
            value = None
        if value:
            return value
    return None
