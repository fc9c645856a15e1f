"""RFC 9112 §6 message framing, checked strictly on requests and upstream responses.

Pure functions over parsed header lists (names lower-case ``str``); no I/O. llhttp (via
httptools) already rejects duplicate or invalid Content-Length, Content-Length together with
Transfer-Encoding, bad chunk sizes, obs-fold, whitespace before the colon and bare CR/LF;
these checks close the gaps it leaves open (HTTP/0.9 and 2.0 request lines, ``gzip, chunked``,
Transfer-Encoding on HTTP/1.0, missing or repeated Host).
"""

from __future__ import annotations

__all__ = [
    "BODY_CHUNKED",
    "BODY_LENGTH",
    "BODY_NONE",
    "BODY_UNTIL_CLOSE",
    "FramingError",
    "chunk",
    "encode_head",
    "request_framing",
    "response_framing",
]

BODY_NONE = 0
BODY_LENGTH = 1
BODY_CHUNKED = 2
BODY_UNTIL_CLOSE = 3

LAST_CHUNK = b"0\r\n\r\n"


class FramingError(Exception):
    """The message cannot be framed safely; ``status`` is what the client gets."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _framing(version: str, headers: list[tuple[str, str]], status: int) -> tuple[int, int]:
    """(body kind, content length) from Content-Length / Transfer-Encoding, strictly."""
    lengths: list[str] = []
    encodings: list[str] = []
    for name, value in headers:
        if name == "content-length":
            lengths.append(value)
        elif name == "transfer-encoding":
            encodings.append(value)
    if encodings:
        if lengths:
            raise FramingError(status, "Content-Length and Transfer-Encoding together")
        if version == "1.0":
            raise FramingError(status, "Transfer-Encoding in an HTTP/1.0 message")
        if len(encodings) != 1 or encodings[0].strip(" \t").lower() != "chunked":
            raise FramingError(status, "Transfer-Encoding other than chunked")
        return BODY_CHUNKED, 0
    if lengths:
        if len(lengths) != 1 or not lengths[0].isdigit() or not lengths[0].isascii():
            raise FramingError(status, "invalid Content-Length")
        if len(lengths[0]) > 18:
            raise FramingError(status, "Content-Length too large")
        length = int(lengths[0])
        return (BODY_LENGTH, length) if length else (BODY_NONE, 0)
    return BODY_NONE, 0


def request_framing(version: str, headers: list[tuple[str, str]]) -> tuple[int, int]:
    """Check a request head; return (body kind, content length) or raise FramingError."""
    if version not in ("1.1", "1.0"):
        if version.startswith("1."):
            raise FramingError(400, "unsupported HTTP version")
        raise FramingError(505, "HTTP version not supported")
    hosts = 0
    for name, _ in headers:
        if name == "host":
            hosts += 1
    if hosts > 1 or (hosts == 0 and version == "1.1"):
        raise FramingError(400, "exactly one Host header is required")
    return _framing(version, headers, 400)


def response_framing(
    version: str, status: int, headers: list[tuple[str, str]], head_request: bool
) -> tuple[int, int]:
    """Check an upstream response head; return (body kind, length) or raise FramingError(502)."""
    if version not in ("1.1", "1.0"):
        raise FramingError(502, "unsupported upstream HTTP version")
    kind, length = _framing(version, headers, 502)
    if head_request or status in (204, 304) or status < 200:
        return BODY_NONE, length
    if kind == BODY_NONE and not any(name == "content-length" for name, _ in headers):
        return BODY_UNTIL_CLOSE, 0
    return kind, length


def encode_head(start_line: bytes, headers: list[tuple[str, str]]) -> bytes:
    """Serialize a start line and headers; drops any field that would split the head."""
    parts = [start_line]
    for name, value in headers:
        if "\n" in value or "\r" in value or "\n" in name or "\r" in name or ":" in name:
            continue
        parts.append(f"{name}: {value}\r\n".encode("latin-1", "replace"))
    parts.append(b"\r\n")
    return b"".join(parts)


def chunk(data: bytes) -> bytes:
    """One chunk of a chunked body."""
    return b"%x\r\n%b\r\n" % (len(data), data)
