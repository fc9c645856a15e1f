"""Consistent hashing on the consumer a plugin identified."""

from __future__ import annotations

from plugins import sample_plugins
from proxy.upstreams.balancer_env import balanced_config, balanced_gateway, bodies, upstreams


async def test_consistent_hashing_on_the_consumer_is_stable_per_consumer() -> None:
    assert sample_plugins.HeaderLogin.name == "test-login"  # registered on import
    users = [f"user{i}" for i in range(12)]
    async with upstreams(3) as ups:
        config = (
            balanced_config(
                [f"127.0.0.1:{u.port}" for u in ups],
                upstream="    algorithm: consistent-hashing\n    hash_on: consumer\n",
                route="        plugins: [{name: test-login}]\n",
            )
            + "consumers:\n"
            + "".join(f"  - username: {u}\n" for u in users)
        )
        async with balanced_gateway(config) as gw:
            mapping = {}
            for user in users:
                seen = await bodies(gw.port, 3, headers=f"X-User: {user}\r\n")
                assert len(set(seen)) == 1, f"{user} moved between targets: {seen}"
                mapping[user] = seen[0]
            # Without a consumer (and no fallback) the requests go round-robin.
            anonymous = await bodies(gw.port, 3)
    assert len(set(mapping.values())) >= 2
    assert sorted(anonymous) == ["u0", "u1", "u2"]
