"""`litellm-key proxy render|start|stop|reload|status`: the nginx that adds the Host header."""

from __future__ import annotations

import argparse

from .. import proxy
from ..console import Console
from ..errors import fail
from ..settings import Settings
from . import add_connection_flags, add_output_flags, settings_from
from ..services.verification import first_proxy_problem
from ..services import step_report

DESCRIPTION = """Render, start, stop, reload or inspect the nginx proxy that forwards the clients'
requests (http://localhost:8080) to the upstream (Traefik on the host) with the Host header LiteLLM
is routed by. Its config, pid file, log and temp files live in <state_dir>/nginx.

  render   print the config the current settings produce (nothing is written)
  start    render, `nginx -t`, then start nginx, or reload it when it runs with another config
  reload   the same as start: an invalid config never replaces the running one
  stop     stop the nginx this tool started (by its pid file)
  status   running? config current? health endpoint answers? upstream answers /health/liveliness?
           exits 0 when all answer, else with the code of the first failure (7 proxy, 6 upstream)

examples:
  $ litellm-key proxy start
  $ litellm-key proxy status --json | jq .proxy.upstream_ok
  $ litellm-key proxy render --upstream https://litellm.example.com --host-header litellm.example.com
  $ LITELLM_LISTEN=127.0.0.1:8081 litellm-key proxy reload
"""

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("render", "start", "stop", "reload", "status"), help="what to do")
    parser.add_argument(
        "--no-upstream-check", action="store_true", help="status: skip GET /health/liveliness through the proxy"
    )
    add_connection_flags(parser)
    add_output_flags(parser)


def _show_status(report: proxy.ProxyStatus, settings: Settings, console: Console) -> None:
    if report.running:
        console.ok(f"nginx running (pid {report.pid}) on {report.listen} → {report.upstream} (Host: {settings.host_header})")
    if report.health_ok:
        console.ok(f"health endpoint answers: {settings.proxy_url}{proxy.HEALTH_PATH}")
        if report.config_current:
            console.ok("running config matches the current settings")
        else:
            stale = fail("proxy-config-stale")
            console.warn(stale.message, stale.fix)
    if report.upstream_ok:
        console.ok("upstream answers /health/liveliness through the proxy")
    console.info(f"config: {report.paths.config} · log: {report.paths.error_log}")


def _status(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    report = proxy.status(settings, check_upstream=not args.no_upstream_check)
    problem = first_proxy_problem(report, settings)
    if console.json_mode:
        document: dict[str, object] = {"ok": problem is None, "proxy": report.as_dict()}
        if problem is not None:
            document["error"] = problem.as_dict()
        console.emit(document)
        return problem.exit_code if problem else 0
    _show_status(report, settings, console)
    if problem is not None:
        console.failure(problem)
        return problem.exit_code
    return 0


def run(args: argparse.Namespace, console: Console) -> int:
    settings = settings_from(args)
    if args.action == "render":
        text = proxy.render(settings)
        if console.json_mode:
            console.emit({"ok": True, "config": text, "config_id": proxy.config_id(text)})
        else:
            console.out.write(text)
        return 0
    if args.action == "status":
        return _status(args, settings, console)
    if args.action == "stop":
        stopped = proxy.stop(settings)
        if stopped:
            console.ok(f"proxy stopped ({settings.proxy_url})")
        else:
            console.info(f"the proxy was not running ({settings.proxy_url})")
        console.emit({"ok": True, "stopped": stopped})
        return 0
    outcome = step_report.start_proxy(settings, console)
    console.emit({"ok": True, "proxy": outcome, "proxy_url": settings.proxy_url, "upstream": settings.upstream})
    return 0
