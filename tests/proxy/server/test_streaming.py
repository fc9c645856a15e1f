"""1 GiB through the proxy both ways at constant memory (gateway in its own process)."""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import orjson
import pytest

from authgate.testing import free_port, wait_for_port
from authgate.testing.in_process import echo_config

GIB = 1 << 30
RSS_BUDGET = 100 * 1024 * 1024
PIECE = b"\xab" * (1 << 20)


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.fixture
def gateway_process(echo_port: int, tmp_path: Path) -> Iterator[tuple[int, int]]:
    config = tmp_path / "kong.yaml"
    config.write_text(echo_config(echo_port))
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "authgate.testing.serve_worker", str(config), str(port)]
    )
    try:
        wait_for_port(port)
        yield proc.pid, port
    finally:
        proc.terminate()
        proc.wait(10)


class _Peak:
    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.baseline = _rss(pid)
        self.peak = self.baseline

    async def watch(self) -> None:
        while True:
            self.peak = max(self.peak, _rss(self.pid))
            await asyncio.sleep(0.05)

    @property
    def growth(self) -> int:
        return self.peak - self.baseline


async def _warm_up(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"POST /warm HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\nConnection: close\r\n\r\n"
        + PIECE
    )
    await reader.read()
    writer.close()


@pytest.fixture
async def peak(gateway_process: tuple[int, int]) -> AsyncIterator[_Peak]:
    await _warm_up(gateway_process[1])
    watcher = _Peak(gateway_process[0])
    task = asyncio.get_running_loop().create_task(watcher.watch())
    yield watcher
    task.cancel()


@pytest.mark.slow
async def test_1gib_upload_streams_at_constant_memory(
    gateway_process: tuple[int, int], peak: _Peak
) -> None:
    _, port = gateway_process
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    writer.write(
        b"POST /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        + f"Content-Length: {GIB}\r\n\r\n".encode()
    )
    for _ in range(GIB // len(PIECE)):
        writer.write(PIECE)
        await writer.drain()
    raw = await asyncio.wait_for(reader.read(), 60)
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    echoed = orjson.loads(body)
    assert echoed["body_length"] == GIB
    expected = hashlib.sha256()
    for _ in range(GIB // len(PIECE)):
        expected.update(PIECE)
    assert echoed["body_sha256"] == expected.hexdigest()
    assert time.monotonic() - started < 30
    assert peak.growth < RSS_BUDGET, f"gateway RSS grew by {peak.growth / 2**20:.0f} MiB"


@pytest.mark.slow
async def test_1gib_download_streams_at_constant_memory(
    gateway_process: tuple[int, int], peak: _Peak
) -> None:
    _, port = gateway_process
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    writer.write(f"GET /bytes/{GIB} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert f"content-length: {GIB}".encode() in head.lower()
    received = 0
    digest = hashlib.sha256()
    while chunk := await reader.read(1 << 20):
        received += len(chunk)
        digest.update(chunk)
    writer.close()
    assert received == GIB
    expected = hashlib.sha256()
    pattern = bytes(range(256)) * 256
    for _ in range(GIB // len(pattern)):
        expected.update(pattern)
    assert digest.hexdigest() == expected.hexdigest()
    assert time.monotonic() - started < 30
    assert peak.growth < RSS_BUDGET, f"gateway RSS grew by {peak.growth / 2**20:.0f} MiB"
