"""Internal entry point of one gateway worker: ``python -m authgate.cli.gateway_worker``.

`authgate gateway` starts it; users never do. It is a separate module with plain argparse
(not a typer command of the `authgate` app) so that a worker starts fast: it imports the
data plane, the metrics observer and the access log, and nothing else of the command line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from authgate.admin.request_metrics import RequestMetrics, pin_process_id
from authgate.cli.addresses import parse_host_port
from authgate.plugins.access_record import Observer
from authgate.proxy.added_headers import DEFAULT_HEADERS
from authgate.proxy.observe.access_log import open_access_log
from authgate.proxy.tls import TlsFiles
from authgate.proxy.workers.worker import WorkerOptions, run_worker

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m authgate.cli.gateway_worker")
    parser.add_argument("--snapshot", type=Path, required=True, help="config snapshot to serve")
    parser.add_argument("--version", type=int, required=True, help="version of that snapshot")
    parser.add_argument("--listen", required=True, help="HOST:PORT (bound with SO_REUSEPORT)")
    parser.add_argument("--control-fd", type=int, required=True, help="control channel fd")
    parser.add_argument("--access-log", default="-", help="a file path, '-' or 'off'")
    parser.add_argument("--trusted-ips", default="", help="comma-separated trusted CIDRs")
    parser.add_argument("--headers", default=DEFAULT_HEADERS, help="the gateway's --headers")
    parser.add_argument("--drain-timeout", type=float, default=30.0, help="seconds to drain")
    parser.add_argument("--tls-listen", default="", help="HOST:PORT of the https port")
    parser.add_argument("--tls-cert", type=Path, default=None, help="PEM certificate chain")
    parser.add_argument("--tls-key", type=Path, default=None, help="PEM private key")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the supervisor's arguments and serve until told to stop."""
    args = _parser().parse_args(argv)
    host, port = parse_host_port(args.listen)
    pin_process_id()
    metrics = RequestMetrics()
    observers: list[Observer] = [metrics]
    log = open_access_log(args.access_log)
    if log is not None:
        observers.append(log)
    options = WorkerOptions(
        snapshot=args.snapshot,
        version=args.version,
        host=host,
        port=port,
        control_fd=args.control_fd,
        drain_timeout=args.drain_timeout,
        trusted_ips=tuple(filter(None, args.trusted_ips.split(","))),
        headers=args.headers,
    )
    if args.tls_cert is not None and args.tls_key is not None:
        tls_host, tls_port = parse_host_port(args.tls_listen)
        options = replace(
            options,
            tls=TlsFiles(cert=args.tls_cert, key=args.tls_key),
            tls_host=tls_host,
            tls_port=tls_port,
        )

    def on_exit() -> None:
        metrics.flush()
        if log is not None:
            log.close()

    return run_worker(options, observers, on_exit=on_exit)


if __name__ == "__main__":
    sys.exit(main())
