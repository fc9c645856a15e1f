"""nginx configurations for the benchmark: a fixed-response upstream and a reverse proxy."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["BODY", "proxy_conf", "upstream_conf"]

BODY = '{"service":"bench","ok":true,"message":"a small fixed response"}'


def _common(workdir: Path, name: str) -> str:
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes 1;
daemon off;
pid {workdir}/{name}.pid;
error_log {workdir}/{name}.error.log warn;
events {{ worker_connections 4096; }}
"""


def _temp_paths(workdir: Path) -> str:
    return "\n".join(
        f"    {kind}_temp_path {workdir}/{kind}_temp;"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )


def upstream_conf(workdir: Path, port: int) -> str:
    """One nginx worker answering every request with :data:`BODY` (200, keep-alive)."""
    return (
        _common(workdir, "upstream")
        + f"""http {{
    access_log off;
{_temp_paths(workdir)}
    keepalive_requests 1000000;
    server {{
        listen 127.0.0.1:{port} reuseport;
        location / {{
            default_type application/json;
            return 200 '{BODY}';
        }}
    }}
}}
"""
    )


def proxy_conf(workdir: Path, port: int, upstream_port: int) -> str:
    """One nginx worker proxying to the upstream over a keep-alive pool."""
    return (
        _common(workdir, "proxy")
        + f"""http {{
    access_log off;
{_temp_paths(workdir)}
    keepalive_requests 1000000;
    upstream backend {{
        server 127.0.0.1:{upstream_port};
        keepalive 64;
        keepalive_requests 1000000;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
    }}
}}
"""
    )
