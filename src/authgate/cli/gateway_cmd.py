"""`authgate gateway`: the supervisor, its workers and the admin API.

The supervisor process validates the configuration, starts ``--workers`` worker processes
(``python -m authgate.cli.gateway_worker``, an internal entry point) that share the proxy
port, and serves the admin API itself. Signals: SIGHUP reloads ``--config``; SIGTERM and
SIGINT drain and exit 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import signal
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from authgate.cli.addresses import parse_host_port
from authgate.cli.plural import plural
from authgate.proxy.added_headers import DEFAULT_HEADERS

if TYPE_CHECKING:
    from authgate.proxy.tls import TlsFiles
    from authgate.proxy.workers.loaded_config import LoadedConfig
    from authgate.proxy.workers.supervisor import GatewaySettings, Supervisor

__all__ = ["gateway"]

EXIT_INVALID_CONFIG = 2
CPUS = os.cpu_count() or 1


def _trusted_ips(value: str) -> tuple[str, ...]:
    networks: list[str] = []
    for item in filter(None, (part.strip() for part in value.split(","))):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise typer.BadParameter(
                f"{item!r} is not an IP address or CIDR", param_hint="'--trusted-ips'"
            ) from None
    return tuple(networks)


def _headers(value: str) -> str:
    from authgate.proxy.added_headers import parse_headers

    try:
        parse_headers(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    return value


def _bind(host: str, port: int, what: str) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        typer.echo(f"authgate: cannot listen on {host}:{port} for {what}: {exc}", err=True)
        raise typer.Exit(1) from None
    return sock


def _check_proxy_port(host: str, port: int, what: str = "the proxy") -> None:
    """Fail fast, with a clear message, when the proxy address is taken by another program."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            typer.echo(f"authgate: cannot listen on {host}:{port} for {what}: {exc}", err=True)
            raise typer.Exit(1) from None


ConfigFile = Annotated[
    Path, typer.Option("--config", "-c", help="Declarative config (Kong 3.x format).")
]
Workers = Annotated[
    int,
    typer.Option(
        "--workers",
        "-w",
        min=1,
        max=256,
        show_default=False,
        help="Worker processes (default: the number of CPUs).",
    ),
]
Headers = Annotated[
    str,
    typer.Option(
        callback=_headers,
        show_default=False,
        help=(
            "Headers added to responses, as Kong's `headers` in kong.conf: a comma-separated "
            "list of header names, server_tokens (Server and Via), latency_tokens (Kong's "
            "X-Kong-*-Latency names), authgate_latency_tokens or off. Default: server_tokens, "
            "X-Request-Id and authgate_latency_tokens (authgate's names); Kong's default is "
            "'server_tokens, latency_tokens, X-Kong-Request-Id'. See docs/proxy.md."
        ),
    ),
]
DrainTimeout = Annotated[
    float, typer.Option(min=0.0, help="Seconds to let in-flight requests finish on SIGTERM.")
]
ReloadTimeout = Annotated[
    float,
    typer.Option(min=0.1, help="Seconds a worker has to load a new config before it is replaced."),
]
TlsListen = Annotated[
    str,
    typer.Option(
        help="HOST:PORT of the https proxy port (with --tls-cert, or certificates in --config)."
    ),
]
TlsCert = Annotated[
    Path | None,
    typer.Option(help="PEM certificate chain: serve https on --tls-listen (re-read on reload)."),
]
TlsKey = Annotated[Path | None, typer.Option(help="PEM private key of --tls-cert.")]


def gateway(
    config: ConfigFile,
    workers: Workers = CPUS,
    listen: str = typer.Option("127.0.0.1:8000", help="HOST:PORT of the proxy."),
    admin_listen: str = typer.Option("127.0.0.1:8001", help="HOST:PORT of the admin API."),
    access_log: str = typer.Option("-", help="Access log: a file path, '-' (stdout) or 'off'."),
    trusted_ips: str = typer.Option(
        "", help="Comma-separated CIDRs whose X-Forwarded-* headers are trusted."
    ),
    headers: Headers = DEFAULT_HEADERS,
    drain_timeout: DrainTimeout = 30.0,
    reload_timeout: ReloadTimeout = 10.0,
    tls_listen: TlsListen = "127.0.0.1:8443",
    tls_cert: TlsCert = None,
    tls_key: TlsKey = None,
) -> None:
    """Run the gateway: a supervisor, N proxy workers and the admin API."""
    from authgate.proxy.workers.supervisor import GatewaySettings

    host, port = parse_host_port(listen, "--listen")
    tls = _tls_files(tls_cert, tls_key)
    admin_host, admin_port = parse_host_port(admin_listen, "--admin-listen")
    trusted = _trusted_ips(trusted_ips)
    initial = _initial_config(config)
    _check_access_log(access_log)
    _warn_unless_loopback(admin_host, admin_listen)
    _check_proxy_port(host, port)
    tls_host, tls_port = parse_host_port(tls_listen, "--tls-listen")
    # Like Kong, certificates in the config open the https port with a generated default.
    tls_default = tls is None and bool(initial.config.certificates)
    if tls is not None or tls_default:
        _check_proxy_port(tls_host, tls_port, "https")
    admin_sock = _bind(admin_host, admin_port, "the admin API")
    settings = GatewaySettings(
        config_path=config,
        workers=workers,
        host=host,
        port=port,
        worker_command=(sys.executable, "-m", "authgate.cli.gateway_worker"),
        access_log=access_log,
        trusted_ips=trusted,
        headers=headers,
        drain_timeout=drain_timeout,
        reload_timeout=reload_timeout,
        tls=tls,
        tls_host=tls_host,
        tls_port=tls_port,
        tls_default=tls_default,
    )
    import uvloop

    code = uvloop.run(_run(settings, initial, admin_sock, admin_listen))
    raise typer.Exit(code)


def _warn_unless_loopback(admin_host: str, admin_listen: str) -> None:
    """The admin API has no authentication: say so when it listens beyond this machine."""
    from authgate.admin.guard import is_loopback_name

    if not is_loopback_name(admin_host):
        typer.echo(
            f"authgate: WARNING: the admin API listens on {admin_listen}, beyond this machine; "
            "it can change the configuration and has no authentication",
            err=True,
        )


def _tls_files(tls_cert: Path | None, tls_key: Path | None) -> TlsFiles | None:
    """``--tls-cert``/``--tls-key`` as files the TLS context loads now, or None."""
    from authgate.proxy.tls import TlsFiles, TlsSetupError, server_context

    if (tls_cert is None) != (tls_key is None):
        raise typer.BadParameter("--tls-cert and --tls-key go together")
    if tls_cert is None or tls_key is None:
        return None
    tls = TlsFiles(cert=tls_cert.resolve(), key=tls_key.resolve())
    try:
        server_context(tls)
    except TlsSetupError as exc:
        typer.echo(f"authgate: {exc}", err=True)
        raise typer.Exit(EXIT_INVALID_CONFIG) from None
    return tls


def _initial_config(config: Path) -> LoadedConfig:
    """The ``--config`` file loaded, or every problem printed (naming file:line:col) and exit."""
    from authgate.config import ConfigError
    from authgate.proxy.workers.loaded_config import load_config_file

    try:
        return load_config_file(config, version=1)
    except ConfigError as exc:
        count = plural(len(exc.issues), "problem")
        typer.echo(f"{config}: invalid configuration ({count}):", err=True)
        for line in exc.report():
            typer.echo(f"  {line}", err=True)
        raise typer.Exit(EXIT_INVALID_CONFIG) from None


def _check_access_log(access_log: str) -> None:
    """A ``--access-log`` file must open for appending before any worker starts."""
    if access_log in ("-", "off"):
        return
    try:
        os.close(os.open(access_log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640))
    except OSError as exc:
        raise typer.BadParameter(
            f"cannot open {access_log}: {exc.strerror or exc}", param_hint="'--access-log'"
        ) from None


async def _run(
    settings: GatewaySettings, initial: LoadedConfig, admin_sock: socket.socket, admin: str
) -> int:
    from authgate.admin.app import create_admin_app
    from authgate.admin.server import AdminServer
    from authgate.proxy.workers.supervisor import Supervisor, WorkerStartError

    supervisor = Supervisor(settings, initial)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    reloads: set[asyncio.Task[None]] = set()

    def on_sighup() -> None:
        # Waits for the supervisor's lock, so a SIGHUP during start-up applies after it.
        task = loop.create_task(_reload_on_sighup(supervisor))
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    loop.add_signal_handler(signal.SIGHUP, on_sighup)
    try:
        await supervisor.start()
    except WorkerStartError as exc:
        typer.echo(f"authgate: {exc}", err=True)
        await supervisor.stop()
        return 1
    app = create_admin_app(supervisor, admin)
    server = AdminServer(app)
    serving = loop.create_task(server.serve_on(admin_sock))
    tls_listen = f"{settings.tls_host}:{settings.tls_port}"
    https = f", https on https://{tls_listen}" if supervisor.settings.tls is not None else ""
    typer.echo(
        f"authgate gateway: proxy on http://{settings.host}:{settings.port} "
        f"({plural(settings.workers, 'worker')}: {' '.join(map(str, supervisor.workers))}), "
        f"admin API on http://{admin}{https}",
        err=True,
    )
    await stop.wait()
    typer.echo("authgate gateway: draining and stopping", err=True)
    server.should_exit = True
    with contextlib.suppress(Exception):
        await serving
    await supervisor.stop()
    return 0


async def _reload_on_sighup(supervisor: Supervisor) -> None:
    result = await supervisor.reload_file()
    if result.ok:
        typer.echo(f"authgate: configuration version {result.version} loaded", err=True)
        return
    typer.echo("authgate: reload refused, the previous configuration keeps serving:", err=True)
    for line in result.report or [str(issue) for issue in result.issues]:
        typer.echo(f"  {line}", err=True)
