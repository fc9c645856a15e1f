"""The JSON access log: one parseable line per request, and never a secret in it."""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path

import httpx
import orjson
import pytest

from authgate.plugins.access_record import AccessRecord
from authgate.proxy.observe.access_log import (
    FILE_BATCH_BYTES,
    PIPE_BATCH_BYTES,
    AccessLogWriter,
    open_access_log,
)
from authgate.testing.gateway import eventually, start_gateway


def _record(**changes: object) -> AccessRecord:
    values: dict[str, object] = {
        "request_id": "req-1",
        "started_at": 1_700_000_000.25,
        "client_ip": "127.0.0.1",
        "method": "GET",
        "host": "api.example.test",
        "path": "/bar/callback",
        "query": "code=SECRET-CODE&state=SECRET-STATE&access_token=SECRET-TOKEN&flag",
        "protocol": "HTTP/1.1",
        "status": 200,
        "bytes_in": 120,
        "bytes_out": 512,
        "route_id": "r-1",
        "route_name": "bar",
        "service_id": "s-1",
        "service_name": "echo",
        "latency_ms": 3.5,
        "proxy_latency_ms": 0.4,
        "upstream_latency_ms": 3.1,
        "upstream_error": None,
        "consumer": None,
    }
    values.update(changes)
    return AccessRecord(**values)  # type: ignore[arg-type]


def _lines(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_line_has_request_facts_and_only_query_keys(tmp_path: Path) -> None:
    target = tmp_path / "access.log"
    writer = open_access_log(str(target))
    assert writer is not None
    writer(_record())
    writer.close()
    raw = target.read_text()
    assert "SECRET" not in raw
    (line,) = _lines(target)
    assert line["query_keys"] == ["code", "state", "access_token", "flag"]
    assert line["path"] == "/bar/callback"
    assert line["status"] == 200
    assert line["request_id"] == "req-1"
    assert line["started_at"] == 1_700_000_000_250
    assert line["time"] == "2023-11-14T22:13:20.250000+00:00"
    assert line["route"] == {"id": "r-1", "name": "bar"}
    assert line["service"] == {"id": "s-1", "name": "echo"}
    assert line["latencies"] == {"request": 3.5, "proxy": 0.4, "upstream": 3.1}


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        ("", []),
        ("a=1", ["a"]),
        ("a=1&&b", ["a", "b"]),
        ("id%5Ftoken=x&q+w=1", ["id_token", "q w"]),
        ("=nameless", [""]),
    ],
)
def test_query_values_are_dropped(tmp_path: Path, query: str, keys: list[str]) -> None:
    target = tmp_path / "access.log"
    writer = open_access_log(str(target))
    assert writer is not None
    writer(_record(query=query))
    writer.close()
    assert _lines(target)[0]["query_keys"] == keys


def test_off_disables_the_log() -> None:
    assert open_access_log("off") is None


@pytest.mark.parametrize("target", ["file", "pipe"])
async def test_lines_are_batched_whole_and_in_order(tmp_path: Path, target: str) -> None:
    if target == "file":
        read_fd = None
        write_fd = os.open(tmp_path / "access.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        batch = FILE_BATCH_BYTES
    else:
        read_fd, write_fd = os.pipe()
        os.set_blocking(read_fd, False)
        batch = PIPE_BATCH_BYTES
    writer = AccessLogWriter(write_fd, flush_seconds=0)
    received = bytearray()
    count = 3 * batch // 400 + 10
    for index in range(count):
        writer(_record(request_id=f"r{index}", path="/" + "p" * 300))
        if read_fd is not None:
            with contextlib.suppress(BlockingIOError):
                received += os.read(read_fd, 1 << 20)
    for _ in range(3):  # let the loop run the flush timer
        await asyncio.sleep(0)
    writer.close()
    if read_fd is None:
        data = (tmp_path / "access.log").read_bytes()
    else:
        received += os.read(read_fd, 1 << 20)
        os.close(read_fd)
        os.close(write_fd)
        data = bytes(received)
    lines = [orjson.loads(line) for line in data.splitlines()]
    assert [line["request_id"] for line in lines] == [f"r{i}" for i in range(count)]


def test_gateway_workers_log_every_request_without_secrets(tmp_path: Path, echo_port: int) -> None:
    config = tmp_path / "kong.yaml"
    config.write_text(
        f'_format_version: "3.0"\nservices:\n  - name: echo\n'
        f"    url: http://127.0.0.1:{echo_port}\n"
        "    routes:\n      - name: bar\n        paths: [/bar]\n"
    )
    log = tmp_path / "access.log"
    gateway = start_gateway(config, workers=2, access_log=str(log))
    try:
        for index in range(10):
            response = httpx.get(
                f"{gateway.proxy}/bar/x?access_token=SECRET-{index}&page=2",
                headers={"Authorization": "Bearer SECRET-JWT", "Cookie": "session=SECRET"},
            )
            assert response.status_code == 200
        lines = eventually(lambda: len(_lines(log)) == 10 and _lines(log))
    finally:
        gateway.stop()
    assert "SECRET" not in log.read_text()
    assert len({line["request_id"] for line in lines}) == 10
    assert all(line["status"] == 200 for line in lines)
    assert all(line["query_keys"] == ["access_token", "page"] for line in lines)
    assert all(line["route"]["name"] == "bar" for line in lines)  # type: ignore[index]
