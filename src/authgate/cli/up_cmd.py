"""`authgate up`: the whole workshop on one machine, started and stopped as one.

``up`` first checks every listen address, the state directory and the user's ``--config``
(:mod:`.up_preflight`), so a mistake is one line and nothing starts. Then it starts a list
of :class:`Component` processes in order (each waited for until it answers HTTP), then a
banner and ``.authgate/demo.json`` describing how to use them. Ctrl-C or
SIGTERM stops them in reverse order. The order is: the embedded IdP (its ``on_ready`` hook
seeds the workshop pool, clients, domain and demo user), the echo upstream, the gateway
(whose environment carries the seeded facts to ``examples/workshop/kong.yaml``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from authgate.cli.addresses import parse_host_port
from authgate.cli.idp_serve import default_public_url
from authgate.cli.up_banner import print_banner, write_demo_json
from authgate.cli.up_idp import gateway_environment, idp_key_secret, seed_idp, session_secret
from authgate.cli.up_preflight import (
    PreflightError,
    check_config,
    check_idp_db,
    check_listeners,
    make_state_dir,
)
from authgate.cli.up_processes import (
    Component,
    Demo,
    StartError,
    start,
    stop,
    this_run_log,
    wait_for_signal,
)
from authgate.cli.up_tour import browser_steps, curl_tour, hosted_login_url
from authgate.idp.storage.db import DB_URL_FORMS, normalize_url
from authgate.idp.storage.key_sealing import ENV_KEY_SECRET

__all__ = ["Component", "Demo", "UpOptions", "up", "workshop_components"]

DEFAULT_CONFIG = Path("examples/workshop/kong.yaml")
DEFAULT_SPEC = Path("examples/workshop/idp.yaml")
DEFAULT_STATE = Path(".authgate")
# The addresses written in examples/workshop/kong.yaml, replaced by the chosen ones.
DEFAULT_ECHO = "127.0.0.1:8080"
# The workshop route's logout (``logout_uri_suffix`` in examples/workshop/kong.yaml).
LOGOUT_SUFFIX = "/logout"


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

    @property
    def bar_url(self) -> str:
        """The workshop route, as a browser opens it."""
        return f"{self.gateway_url}/bar"

    def listeners(self) -> dict[str, tuple[str, str]]:
        """Each listen flag: what listens there, and its address."""
        return {
            "--listen": ("the gateway proxy", self.listen),
            "--admin-listen": ("the admin API", self.admin_listen),
            "--echo-listen": ("the echo upstream", self.echo_listen),
            "--idp-listen": ("the IdP", self.idp_listen),
        }

    def stand_ins(self) -> dict[str, str]:
        """Values for the workshop's vault references while the IdP is not seeded yet."""
        return {
            "AUTHGATE_ISSUER": _local_url(self.idp_listen, "/not-seeded-yet"),
            "AUTHGATE_CLIENT_ID": "not-seeded-yet",
            "AUTHGATE_CLIENT_SECRET": "not-seeded-yet",
            "AUTHGATE_SERVICE_CLIENT_ID": "not-seeded-yet",
            "AUTHGATE_SESSION_SECRET": "x" * 48,
            "AUTHGATE_LOGOUT_REDIRECT_URI": self.bar_url,
        }


def _local_url(address: str, path: str = "/") -> str:
    """The URL this machine reaches ``address`` at (a wildcard host means loopback)."""
    return default_public_url(*parse_host_port(address)) + path


def idp_component(opts: UpOptions) -> Component:
    """The embedded IdP; once it answers, the workshop is seeded into it (idempotently)."""
    idp_url = default_public_url(*parse_host_port(opts.idp_listen))
    bar_url = opts.bar_url

    def ready(demo: Demo) -> None:
        facts = seed_idp(opts.db_url, opts.spec, opts.gateway_url, opts.state_dir, idp_url)
        secret = session_secret(opts.state_dir)
        demo.env |= gateway_environment(facts, secret, bar_url)
        endpoints = facts["endpoints"]
        demo.urls |= {
            "IdP issuer": facts["issuer"],
            "IdP discovery": facts["discovery"],
            "IdP hosted login": hosted_login_url(endpoints, facts["client_id"], bar_url),
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
        demo.facts["idp"]["db"] = normalize_url(opts.db_url).get_backend_name()
        demo.facts["idp"]["seed_changed"] = facts["changed"]
        demo.facts["session_secret_file"] = str(opts.state_dir / "session-secret")
        demo.commands += curl_tour(bar_url, facts)
        demo.browser += browser_steps(bar_url, facts)

    args = ["idp", "serve", "--db", opts.db_url, "--listen", opts.idp_listen]
    return Component("idp", args, [_local_url(opts.idp_listen)], ready)


def echo_component(opts: UpOptions) -> Component:
    """The demo echo upstream (``/status/204`` is its own answer, not another server's)."""
    url = f"http://{opts.echo_listen}"

    def ready(demo: Demo) -> None:
        demo.urls["echo upstream"] = url
        demo.facts["upstream"] = {"echo": url}

    args = ["upstream", "echo", "--listen", opts.echo_listen]
    return Component("echo", args, [_local_url(opts.echo_listen, "/status/204")], ready)


def gateway_component(opts: UpOptions) -> Component:
    """The gateway, with the workshop config pointed at the chosen addresses."""
    host, port = parse_host_port(opts.listen)
    proxy, admin = f"http://{host}:{port}", f"http://{opts.admin_listen}"
    logout = opts.bar_url + LOGOUT_SUFFIX
    config = _gateway_config(opts.config, opts.state_dir, {DEFAULT_ECHO: opts.echo_listen})

    def ready(demo: Demo) -> None:
        demo.urls |= {"gateway proxy": proxy, "admin API": admin, "metrics": f"{admin}/metrics"}
        demo.urls["route /bar (openid-connect)"] = opts.bar_url
        demo.urls["sign out (gateway logout)"] = logout
        demo.curl += [f"curl -s {admin}/status", f"curl -s {admin}/routes"]
        demo.facts["gateway"] = {
            "proxy": proxy, "url": opts.gateway_url, "admin": admin, "workers": opts.workers,
            "logout": logout,
        }  # fmt: skip
        demo.facts["config"] = str(config)
        demo.facts["user_config"] = str(opts.config)

    args = [
        "gateway", "--config", str(config), "--workers", str(opts.workers),
        "--listen", opts.listen, "--admin-listen", opts.admin_listen,
        "--access-log", str(opts.logs / "access.log"), "--drain-timeout", "5",
    ]  # fmt: skip
    # The admin API answers only once every worker serves; the proxy must answer too.
    probes = [_local_url(opts.admin_listen, "/status"), _local_url(opts.listen)]
    return Component("gateway", args, probes, ready, uses_env=True)


def workshop_components(opts: UpOptions) -> list[Component]:
    """Everything `authgate up` starts, in start order (stopped in reverse)."""
    return [idp_component(opts), echo_component(opts), gateway_component(opts)]


def up(
    listen: str = typer.Option("127.0.0.1:8000", help="HOST:PORT of the gateway proxy."),
    admin_listen: str = typer.Option("127.0.0.1:8001", help="HOST:PORT of the admin API."),
    echo_listen: str = typer.Option(DEFAULT_ECHO, help="HOST:PORT of the demo echo upstream."),
    idp_listen: str = typer.Option("127.0.0.1:9000", help="HOST:PORT of the embedded IdP."),
    idp_db: str | None = typer.Option(
        None,
        "--idp-db",
        help=f"The IdP database: {DB_URL_FORMS} (default sqlite:///STATE_DIR/idp.db).",
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
    """Start the workshop: IdP (seeded), echo upstream, gateway; print how to use them.

    Every listen address, the state directory and --config are checked first: a problem is
    one line naming the flag to change, exit 1, and nothing is started.
    """
    opts = UpOptions(
        listen, admin_listen, echo_listen, idp_listen, workers, config, spec, state_dir, idp_db
    )
    for flag, (_, address) in opts.listeners().items():
        parse_host_port(address, flag)
    for flag, path, default in (
        ("--config", config, DEFAULT_CONFIG),
        ("--idp-spec", spec, DEFAULT_SPEC),
    ):
        _check_file(flag, path, default)
    try:
        _preflight(opts)
    except PreflightError as exc:
        typer.echo(f"authgate up: {exc}", err=True)
        raise typer.Exit(exc.code) from None
    code = _run(workshop_components(opts), Demo(), state_dir)
    raise typer.Exit(code)


def _check_file(flag: str, path: Path, default: Path) -> None:
    if path.is_file():
        return
    if path == default and not path.exists():
        reason = "not found (run from the repository root, or give the file)"
    else:
        reason = "is a directory, not a file" if path.is_dir() else "does not exist"
    raise typer.BadParameter(f"{path} {reason}", param_hint=f"'{flag}'")


def _preflight(opts: UpOptions) -> None:
    """Everything checked before the first process starts (see :mod:`.up_preflight`)."""
    check_listeners(opts.listeners())
    check_config(opts.config, opts.stand_ins())
    if opts.idp_db is not None:
        check_idp_db(opts.idp_db)
    make_state_dir(opts.state_dir)
    if not os.environ.get(ENV_KEY_SECRET):
        # The IdP and its seed (child processes) seal the signing keys with it.
        try:
            os.environ[ENV_KEY_SECRET] = idp_key_secret(opts.state_dir)
        except (OSError, RuntimeError) as exc:
            raise PreflightError(f"cannot keep the IdP key secret: {exc}") from None


def _gateway_config(source: Path, state: Path, replacements: Mapping[str, str]) -> Path:
    text = source.read_text(encoding="utf-8")
    for default, chosen in replacements.items():
        text = text.replace(default, chosen)
    target = state / "gateway.yaml"
    target.write_text(text, encoding="utf-8")
    return target


def _run(components: list[Component], demo: Demo, state_dir: Path) -> int:
    started: list[Component] = []
    try:
        for component in components:
            started.append(component)
            start(component, state_dir / "logs", demo.env)
            if component.on_ready is not None:
                component.on_ready(demo)
        for component in started:  # every one of them still up: only then the banner
            assert component.process is not None
            if component.process.poll() is not None:
                code = component.process.returncode
                raise StartError(component, f"{component.name} exited with code {code}")
        demo_json = state_dir / "demo.json"
        demo.facts["demo_json"] = str(demo_json)
        demo.facts["logs"] = str(state_dir / "logs")
        demo.facts["pids"] = {c.name: c.process.pid for c in started if c.process is not None}
        write_demo_json(demo, demo_json)
        print_banner(demo, sys.stdout)
        sys.stdout.flush()
        return wait_for_signal(started)
    except KeyboardInterrupt:
        return 130
    except (RuntimeError, OSError) as exc:
        typer.echo(f"authgate up: {exc}", err=True)
        tail = this_run_log(exc.component) if isinstance(exc, StartError) else ""
        if isinstance(exc, StartError) and tail:
            typer.echo(f"--- {exc.component.log_path}, this run:\n{tail}", err=True)
        return 1
    finally:
        stop(started)
