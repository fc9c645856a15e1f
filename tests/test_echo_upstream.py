"""The demo echo upstream, over real sockets."""

from __future__ import annotations

import hashlib

import httpx


def test_echo_returns_method_path_query_headers_and_body(echo_port: int) -> None:
    r = httpx.post(
        f"http://127.0.0.1:{echo_port}/a/b?x=1", content=b"hello", headers={"X-Test": "yes"}
    )
    data = r.json()
    assert r.status_code == 200
    assert data["method"] == "POST"
    assert data["path"] == "/a/b"
    assert data["query"] == "x=1"
    assert ["x-test", "yes"] in data["headers"]
    assert data["body"] == "hello"
    assert data["body_sha256"] == hashlib.sha256(b"hello").hexdigest()


def test_status_route_answers_with_that_status(echo_port: int) -> None:
    assert httpx.get(f"http://127.0.0.1:{echo_port}/status/418").status_code == 418


def test_bytes_route_streams_exact_length(echo_port: int) -> None:
    r = httpx.get(f"http://127.0.0.1:{echo_port}/bytes/100000")
    assert len(r.content) == 100000
    assert r.headers["content-length"] == "100000"


def test_stream_route_sends_n_lines(echo_port: int) -> None:
    r = httpx.get(f"http://127.0.0.1:{echo_port}/stream/5")
    assert r.text.count("\n") == 5
