"""`authgate up`: the whole workshop on one machine, started and stopped as one.

``up`` is a list of :class:`Component` processes started in order (each waited for until it
listens), then a banner and ``.authgate/demo.json`` describing how to use them. Ctrl-C or
SIGTERM stops them in reverse order. The order is: the embedded IdP (its ``on_ready`` hook
seeds the workshop pool, clients, domain and demo user), the echo upstream, the gateway
(whose environment carries the seeded facts to ``examples/workshop/kong.yaml``).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TextIO

import orjson
import typer

from authgate.cli.addresses import parse_host_port
from authgate.cli.idp_serve import default_public_url
from authgate.cli.up_idp import gateway_environment, idp_key_secret, seed_idp, session_secret
from authgate.cli.up_tour import Command, browser_steps, curl_tour
from authgate.idp.key_sealing import ENV_KEY_SECRET

__all__ = ["Component", "Demo", "UpOptions", "up", "workshop_components"]

DEFAULT_CONFIG = Path("examples/workshop/kong.yaml")
DEFAULT_SPEC = Path("examples/workshop/idp.yaml")
DEFAULT_STATE = Path(".authgate")
# The addresses written in examples/workshop/kong.yaml, replaced by the chosen ones.
DEFAULT_ECHO = "127.0.0.1:8080"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 40.0
_PR_SET_PDEATHSIG = 1


@dataclass
class Demo:
    """Facts gathered while starting: shown in the banner and written to demo.json."""

    urls: dict[str, str] = field(default_factory=dict)
    curl: list[str] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)
    browser: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Component:
    """One process of the demo: ``python -m authgate ARGS``, ready when ``address`` accepts.

    With ``uses_env`` it also gets ``Demo.env`` (what earlier components' hooks gathered).
    """

    name: str
    args: list[str]
    address: str
    on_ready: Callable[[Demo], None] | None = None
    uses_env: bool = False
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM if `authgate up` dies (Linux), so none is orphaned."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _listening(address: str) -> bool:
    host, port = parse_host_port(address)
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1" if host == "0.0.0.0" else "::1"
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _start(component: Component, logs: Path, env: dict[str, str]) -> None:
    component.log_path = logs / f"{component.name}.log"
    with component.log_path.open("ab") as log:
        component.process = subprocess.Popen(
            [sys.executable, "-m", "authgate", *component.args],
            env={**os.environ, **env} if component.uses_env else None,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # safe: `up` runs no threads
        )
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if component.process.poll() is not None:
            raise RuntimeError(f"{component.name} exited with code {component.process.returncode}")
        if _listening(component.address):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{component.name} did not listen on {component.address}")
        time.sleep(0.05)


def _stop(components: list[Component]) -> None:
    for component in reversed(components):
        process = component.process
        if process is None or process.poll() is not None:
            continue
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _gateway_config(source: Path, state: Path, replacements: dict[str, str]) -> Path:
    text = source.read_text(encoding="utf-8")
    for default, chosen in replacements.items():
        text = text.replace(default, chosen)
    target = state / "gateway.yaml"
    target.write_text(text, encoding="utf-8")
    return target


def _banner(demo: Demo, out: TextIO) -> None:
    from rich.console import Console
    from rich.panel import Panel
    from rich.table import Table

    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for name, url in demo.urls.items():
        table.add_row(f"[bold]{name}[/bold]", url)
    # Never cut a URL or secret short: wide when not a terminal, folded when it is narrow.
    width = None if out.isatty() else 200
    console = Console(file=out, highlight=False, soft_wrap=True, width=width)
    console.print(Panel(table, title="authgate is up", expand=False))
    credentials = demo.facts.get("credentials", {})
    if credentials:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for name, value in credentials.items():
            grid.add_row(f"[bold]{name}[/bold]", str(value))
        console.print(Panel(grid, title="workshop IdP", expand=False))
    console.print("[bold]Try[/bold] (paste in order; one shell):")
    for command in demo.commands:
        expect = f"  -> {command.expect}" if command.expect is not None else ""
        console.print(f"  # {command.title}{expect}", style="dim", markup=False)
        console.print(f"  {command.command}", markup=False)
    for line in demo.curl:
        console.print(f"  {line}", markup=False)
    if demo.browser:
        console.print("[bold]In a browser:[/bold]")
        for line in demo.browser:
            console.print(f"  {line}", markup=False)
    console.print(f"Logs: {demo.facts['logs']}/  Facts for scripts: {demo.facts['demo_json']}")
    console.print("Ctrl-C stops everything.")


def _wait_for_signal(components: list[Component]) -> int:
    """Block until SIGINT/SIGTERM (exit 0) or until a component dies (exit 1)."""
    received: list[int] = []

    def handler(signum: int, frame: object) -> None:
        received.append(signum)

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, handler)
    while not received:
        for component in components:
            assert component.process is not None
            if component.process.poll() is not None:
                typer.echo(
                    f"authgate up: {component.name} exited ({component.process.returncode}); "
                    f"see {component.log_path}",
                    err=True,
                )
                return 1
        time.sleep(0.2)
    return 0


@dataclass(frozen=True)
class UpOptions:
    """Where every piece of the demo listens, and where its files go."""

    listen: str
    admin_listen: str
    echo_listen: str
    idp_listen: str
    workers: int
    config: Path
    spec: Path
    state_dir: Path
    idp_db: str | None = None

    @property
    def logs(self) -> Path:
        return self.state_dir / "logs"

    @property
    def db_url(self) -> str:
        """The IdP database: ``--idp-db`` or SQLite under the state directory."""
        return self.idp_db or f"sqlite:///{(self.state_dir / 'idp.db').resolve()}"

    @property
    def gateway_url(self) -> str:
        """The proxy's URL as a browser on this machine uses it (localhost for loopback)."""
        host, port = parse_host_port(self.listen)
        if host in ("127.0.0.1", "0.0.0.0", "::", "::1", "localhost"):
            host = "localhost"
        elif ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}"


def idp_component(opts: UpOptions) -> Component:
    """The embedded IdP; once it listens, the workshop is seeded into it (idempotently)."""
    host, port = parse_host_port(opts.idp_listen)
    idp_url = default_public_url(host, port)
    bar_url = f"{opts.gateway_url}/bar"

    def ready(demo: Demo) -> None:
        facts = seed_idp(opts.db_url, opts.spec, opts.gateway_url, opts.state_dir, idp_url)
        secret = session_secret(opts.state_dir)
        demo.env |= gateway_environment(facts, secret, bar_url)
        endpoints = facts["endpoints"]
        demo.urls |= {
            "IdP issuer": facts["issuer"],
            "IdP discovery": facts["discovery"],
            "IdP hosted login": endpoints["authorization_endpoint"] or "",
            "IdP token endpoint": endpoints["token_endpoint"] or "",
        }
        service = facts.get("service_client") or {}
        user = facts["user"] or {}
        demo.facts["credentials"] = {
            "pool": f"{facts['pool_id']} ({facts['pool_name']}, domain {facts['domain']})",
            "app client": f"{facts['client_name']}  {facts['client_id']}",
            "client secret": facts["client_secret"],
            "service client": f"{service.get('client_name')}  {service.get('client_id')}",
            "service secret": service.get("client_secret"),
            "demo user": user.get("username"),
            "password": user.get("password"),
        }
        demo.facts["idp"] = {k: v for k, v in facts.items() if k != "changed"}
        demo.facts["idp"]["db"] = opts.db_url.split("://", 1)[0]
        demo.facts["idp"]["seed_changed"] = facts["changed"]
        demo.facts["session_secret_file"] = str(opts.state_dir / "session-secret")
        demo.commands += curl_tour(bar_url, facts)
        demo.browser += browser_steps(bar_url, facts)

    args = ["idp", "serve", "--db", opts.db_url, "--listen", opts.idp_listen]
    return Component("idp", args, opts.idp_listen, ready)


def echo_component(opts: UpOptions) -> Component:
    """The demo echo upstream."""
    url = f"http://{opts.echo_listen}"

    def ready(demo: Demo) -> None:
        demo.urls["echo upstream"] = url
        demo.facts["upstream"] = {"echo": url}

    args = ["upstream", "echo", "--listen", opts.echo_listen]
    return Component("echo", args, opts.echo_listen, ready)


def gateway_component(opts: UpOptions) -> Component:
    """The gateway, with the workshop config pointed at the chosen addresses."""
    host, port = parse_host_port(opts.listen)
    proxy, admin = f"http://{host}:{port}", f"http://{opts.admin_listen}"
    config = _gateway_config(opts.config, opts.state_dir, {DEFAULT_ECHO: opts.echo_listen})

    def ready(demo: Demo) -> None:
        demo.urls |= {"gateway proxy": proxy, "admin API": admin, "metrics": f"{admin}/metrics"}
        demo.urls["route /bar (openid-connect)"] = f"{opts.gateway_url}/bar"
        demo.curl += [f"curl -s {admin}/status", f"curl -s {admin}/routes"]
        demo.facts["gateway"] = {
            "proxy": proxy, "url": opts.gateway_url, "admin": admin, "workers": opts.workers,
        }  # fmt: skip
        demo.facts["config"] = str(config)

    args = [
        "gateway", "--config", str(config), "--workers", str(opts.workers),
        "--listen", opts.listen, "--admin-listen", opts.admin_listen,
        "--access-log", str(opts.logs / "access.log"), "--drain-timeout", "5",
    ]  # fmt: skip
    # The admin API answers only once every worker serves: it is the readiness signal.
    return Component("gateway", args, opts.admin_listen, ready, uses_env=True)


def workshop_components(opts: UpOptions) -> list[Component]:
    """Everything `authgate up` starts, in start order (stopped in reverse)."""
    return [idp_component(opts), echo_component(opts), gateway_component(opts)]


def up(
    listen: str = typer.Option("127.0.0.1:8000", help="HOST:PORT of the gateway proxy."),
    admin_listen: str = typer.Option("127.0.0.1:8001", help="HOST:PORT of the admin API."),
    echo_listen: str = typer.Option(DEFAULT_ECHO, help="HOST:PORT of the demo echo upstream."),
    idp_listen: str = typer.Option("127.0.0.1:9000", help="HOST:PORT of the embedded IdP."),
    idp_db: str | None = typer.Option(
        None, help="IdP database URL (default sqlite:///STATE_DIR/idp.db)."
    ),
    workers: int = typer.Option(1, min=1, help="Gateway worker processes."),
    config: Annotated[
        Path, typer.Option(help="Gateway config (Kong 3.x format).")
    ] = DEFAULT_CONFIG,
    spec: Annotated[
        Path, typer.Option("--idp-spec", help="The workshop's IdP setup (YAML).")
    ] = DEFAULT_SPEC,
    state_dir: Annotated[
        Path, typer.Option(help="Where the IdP database, secrets, demo.json and logs go.")
    ] = DEFAULT_STATE,
) -> None:
    """Start the workshop: IdP (seeded), echo upstream, gateway; print how to use them."""
    for value in (listen, admin_listen, echo_listen, idp_listen):
        parse_host_port(value)
    for path in (config, spec):
        if not path.is_file():
            raise typer.BadParameter(f"{path} not found (run from the repository root)")
    opts = UpOptions(
        listen, admin_listen, echo_listen, idp_listen, workers, config, spec, state_dir, idp_db
    )
    opts.logs.mkdir(parents=True, exist_ok=True)
    if not os.environ.get(ENV_KEY_SECRET):
        # The IdP and its seed (child processes) seal the signing keys with it.
        os.environ[ENV_KEY_SECRET] = idp_key_secret(state_dir)
    code = _run(workshop_components(opts), Demo(), state_dir)
    raise typer.Exit(code)


def _write_demo_json(demo: Demo, path: Path) -> None:
    """The banner's facts for scripts; 0600 because it holds the demo's secrets."""
    payload = {
        **demo.facts,
        "urls": demo.urls,
        "commands": [c.as_json() for c in demo.commands],
        "curl": [c.command for c in demo.commands] + demo.curl,
        "browser": demo.browser,
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(orjson.dumps(payload, option=orjson.OPT_INDENT_2))
    os.chmod(path, 0o600)


def _run(components: list[Component], demo: Demo, state_dir: Path) -> int:
    started: list[Component] = []
    try:
        for component in components:
            started.append(component)
            _start(component, state_dir / "logs", demo.env)
            if component.on_ready is not None:
                component.on_ready(demo)
        demo_json = state_dir / "demo.json"
        demo.facts["demo_json"] = str(demo_json)
        demo.facts["logs"] = str(state_dir / "logs")
        demo.facts["pids"] = {c.name: c.process.pid for c in started if c.process is not None}
        _write_demo_json(demo, demo_json)
        _banner(demo, sys.stdout)
        sys.stdout.flush()
        return _wait_for_signal(started)
    except KeyboardInterrupt:
        return 130
    except RuntimeError as exc:
        typer.echo(f"authgate up: {exc}", err=True)
        for component in started:
            if component.log_path is not None and component.log_path.exists():
                typer.echo(component.log_path.read_text(errors="replace")[-2000:], err=True)
        return 1
    finally:
        _stop(started)
