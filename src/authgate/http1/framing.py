"""RFC 9112 §6 message framing, checked strictly on requests and upstream responses.

Pure functions over parsed header lists (names lower-case ``str``); no I/O. llhttp (via
httptools) already rejects duplicate or invalid Content-Length, Content-Length together with
Transfer-Encoding, bad chunk sizes, obs-fold, whitespace before the colon and bare CR/LF;
these checks close the gaps it leaves open (HTTP/0.9 and 2.0 request lines, ``gzip, chunked``,
Transfer-Encoding on HTTP/1.0, missing or repeated Host).
"""

from __future__ import annotations

from http import HTTPStatus

__all__ = [
    "BODY_CHUNKED",
    "BODY_LENGTH",
    "BODY_NONE",
    "BODY_UNTIL_CLOSE",
    "LAST_CHUNK",
    "FramingError",
    "RequestFraming",
    "chunk",
    "encode_fields",
    "encode_head",
    "request_framing",
    "response_framing",
    "status_line",
]

BODY_NONE = 0
BODY_LENGTH = 1
BODY_CHUNKED = 2
BODY_UNTIL_CLOSE = 3

LAST_CHUNK = b"0\r\n\r\n"

_STATUS_LINES = {s.value: f"HTTP/1.1 {s.value} {s.phrase}\r\n" for s in HTTPStatus}


class FramingError(Exception):
    """The message cannot be framed safely; ``status`` is what the client gets."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class RequestFraming:
    """What one pass over a request head found: body framing, Host and Connection."""

    __slots__ = ("connection", "host", "kind", "length")

    def __init__(self, kind: int, length: int, host: str | None, connection: str | None) -> None:
        self.kind = kind
        self.length = length
        self.host = host
        self.connection = connection


def _body_kind(
    version: str, lengths: list[str] | None, encodings: list[str] | None, status: int
) -> tuple[int, int]:
    """(body kind, content length) from Content-Length / Transfer-Encoding, strictly."""
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


def request_framing(version: str, headers: list[tuple[str, str]]) -> RequestFraming:
    """Check a request head in one pass; raise FramingError when it can't be framed safely."""
    if version not in ("1.1", "1.0"):
        if version.startswith("1."):
            raise FramingError(400, "unsupported HTTP version")
        raise FramingError(505, "HTTP version not supported")
    hosts = 0
    host = connection = None
    lengths = encodings = None
    for name, value in headers:
        if name == "host":
            hosts += 1
            host = value
        elif name == "content-length":
            lengths = [value] if lengths is None else [*lengths, value]
        elif name == "transfer-encoding":
            encodings = [value] if encodings is None else [*encodings, value]
        elif name == "connection":
            connection = value if connection is None else f"{connection}, {value}"
    if hosts > 1 or (hosts == 0 and version == "1.1"):
        raise FramingError(400, "exactly one Host header is required")
    kind, length = _body_kind(version, lengths, encodings, 400)
    return RequestFraming(kind, length, host, connection)


def response_framing(
    version: str, status: int, headers: list[tuple[str, str]], head_request: bool
) -> tuple[int, int]:
    """Check an upstream response head; return (body kind, length) or raise FramingError(502)."""
    if version not in ("1.1", "1.0"):
        raise FramingError(502, "unsupported upstream HTTP version")
    lengths = encodings = None
    for name, value in headers:
        if name == "content-length":
            lengths = [value] if lengths is None else [*lengths, value]
        elif name == "transfer-encoding":
            encodings = [value] if encodings is None else [*encodings, value]
    kind, length = _body_kind(version, lengths, encodings, 502)
    if head_request or status in (204, 304) or status < 200:
        return BODY_NONE, length
    if kind == BODY_NONE and lengths is None:
        return BODY_UNTIL_CLOSE, 0
    return kind, length


def status_line(status: int) -> str:
    """``HTTP/1.1 <status> <reason>\\r\\n``."""
    line = _STATUS_LINES.get(status)
    return line if line is not None else f"HTTP/1.1 {status} \r\n"


def encode_fields(headers: list[tuple[str, str]], skip: frozenset[str] = frozenset()) -> str:
    """``name: value\\r\\n`` lines for ``headers``, leaving out the names in ``skip``.

    A field whose name or value holds CR or LF (only a plugin could set one) would split the
    head: such fields are dropped.
    """
    lines = [f"{name}: {value}\r\n" for name, value in headers if name not in skip]
    text = "".join(lines)
    if text.count("\n") != len(lines) or text.count("\r") != len(lines):
        text = "".join(
            [
                f"{k}: {v}\r\n"
                for k, v in headers
                if k not in skip and not _splits(k) and not _splits(v)
            ]
        )
    return text


def encode_head(
    start_line: str,
    headers: list[tuple[str, str]],
    extra: str = "",
    skip: frozenset[str] = frozenset(),
) -> bytes:
    """Serialize a start line (with its CRLF), headers and ``extra`` (pre-formatted fields).

    Fields named in ``skip`` are left out, and so are fields holding CR or LF
    (:func:`encode_fields`); a start line or ``extra`` with a stray CR or LF is a ValueError.
    """
    if start_line.count("\r") != start_line.count("\n") or extra.count("\r") != extra.count("\n"):
        raise ValueError("a start line or framing field holds CR or LF")
    text = f"{start_line}{encode_fields(headers, skip)}{extra}\r\n"
    return text.encode("latin-1", "replace")


def _splits(text: str) -> bool:
    return "\r" in text or "\n" in text


def chunk(data: bytes) -> bytes:
    """One chunk of a chunked body."""
    return b"%x\r\n%b\r\n" % (len(data), data)
