"""`authgate up`: the demo starts, proxies /bar to the echo upstream, and stops cleanly."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
import orjson

from authgate.testing import ServerProcess, free_port
from authgate.testing.gateway import eventually

ROOT = Path(__file__).resolve().parent.parent
WORKSHOP_CONFIG = ROOT / "examples" / "workshop" / "kong.yaml"


def test_up_serves_bar_writes_demo_json_and_stops_on_sigterm(tmp_path: Path) -> None:
    proxy, admin, echo = free_port(), free_port(), free_port()
    state = tmp_path / "state"
    up = ServerProcess(
        ["up", "--listen", f"127.0.0.1:{proxy}", "--admin-listen", f"127.0.0.1:{admin}",
         "--echo-listen", f"127.0.0.1:{echo}", "--config", str(WORKSHOP_CONFIG),
         "--state-dir", str(state)],
        wait_port=admin,
        timeout=40,
    )  # fmt: skip
    with up:
        demo_json = state / "demo.json"
        eventually(demo_json.exists)
        response = httpx.get(f"http://127.0.0.1:{proxy}/bar?x=1", timeout=10)
        assert response.status_code == 200
        echoed = response.json()
        assert echoed["method"] == "GET"
        assert echoed["query"] == "x=1"
        demo = orjson.loads(demo_json.read_bytes())
        assert demo["gateway"]["proxy"] == f"http://127.0.0.1:{proxy}"
        assert demo["upstream"]["echo"] == f"http://127.0.0.1:{echo}"
        assert f"curl -i http://127.0.0.1:{proxy}/bar" in demo["curl"]
        eventually(lambda: "authgate is up" in up.log())
        assert f"http://127.0.0.1:{proxy}/bar" in up.log()
        up.send_signal(signal.SIGTERM)
        assert up.proc is not None
        assert up.proc.wait(30) == 0
    for pid in demo["pids"].values():
        assert (
            not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
        )
