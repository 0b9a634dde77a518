"""Throughput and latency of a service called directly and through the gateway.

Starts, on loopback only:
  - a small Flask service under gunicorn gthread (bench/upstream_app.py), which also serves
    the JWKS of a key minted here, so it plays identity for the gateway's token check;
  - the gateway under gunicorn gevent (its own gunicorn_conf), all service URLs pointing at it;
then drives each route directly and through the gateway with bench/loadgen.py (or wrk when
installed and --wrk is given) and prints requests/s, p50, p99 and the gateway/direct ratio.

    .venv/bin/python bench/gateway_vs_direct.py [--duration 10] [--concurrency 16]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

from portal_shared.auth.signing import TokenSigner, generate_private_key

sys.path.insert(0, str(Path(__file__).resolve().parent))
import loadgen  # noqa: E402  (the generator sits next to this script)

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
ROUTES = (("light", "/api/v1/accounts"), ("50 ms", "/api/v1/balances"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_ready(url: str, process: subprocess.Popen, name: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{name} did not answer {url} within {timeout:.0f} s")


def start(command: list[str], env: dict[str, str], log_path: Path, cwd: Path | None = None) -> subprocess.Popen:
    log = log_path.open("wb")
    return subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and all its descendants (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return float("nan")
    own = (int(fields[11]) + int(fields[12])) / tick
    return own + sum(process_tree_cpu(int(child)) for child in children)


def measure(port: int, path: str, token: str, args) -> loadgen.Result:
    headers = {"Authorization": f"Bearer {token}"}
    # Warm-up fills connection pools and the gateway's token cache; it is not counted.
    loadgen.run("127.0.0.1", port, path, headers=headers, concurrency=args.concurrency,
                duration=args.warmup, max_requests=args.max_requests)
    if args.wrk:
        return run_wrk(port, path, headers, args)
    return loadgen.run("127.0.0.1", port, path, headers=headers, concurrency=args.concurrency,
                       duration=args.duration, max_requests=args.max_requests)


def run_wrk(port: int, path: str, headers: dict[str, str], args) -> loadgen.Result:
    command = [args.wrk, "-t2", f"-c{args.concurrency}", f"-d{int(args.duration)}s", "--latency",
               *[f"-H{name}: {value}" for name, value in headers.items()], f"http://127.0.0.1:{port}{path}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = loadgen.Result(elapsed=args.duration)
    for line in output.splitlines():
        words = line.split()
        if line.strip().startswith("Requests/sec:"):
            result.requests = int(float(words[1]) * args.duration)
        if words and words[0] in ("50%", "99%"):
            value = words[1]
            scale = 1e-6 if value.endswith("us") else 1e-3 if value.endswith("ms") else 1.0
            seconds = float(value.rstrip("ums")) * scale
            result.latencies.append(seconds)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per phase")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of unmeasured load before each phase")
    parser.add_argument("--concurrency", type=int, default=16, help="connections kept busy")
    parser.add_argument("--rounds", type=int, default=1,
                        help="alternate direct/gateway this many times per route (evens out a busy machine)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="request budget per phase")
    parser.add_argument("--gateway-workers", type=int, default=2, help="gevent workers (WEB_CONCURRENCY)")
    parser.add_argument("--gateway-worker-class", default=None,
                        help="override gunicorn_conf's worker class (e.g. gevent_pywsgi) to compare")
    parser.add_argument("--upstream-workers", type=int, default=2)
    parser.add_argument("--upstream-threads", type=int, default=16)
    parser.add_argument("--access-log", choices=("on", "off"), default="on",
                        help="the gateway's JSON access line per request (GATEWAY_ACCESS_LOG)")
    parser.add_argument("--wrk", nargs="?", const=shutil.which("wrk") or "", default=None,
                        help="drive the load with wrk instead of the built-in generator (path optional)")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    args = parser.parse_args()
    if args.wrk == "":
        raise SystemExit("--wrk given but no wrk on PATH")

    workdir = Path(tempfile.mkdtemp(prefix="gateway-bench-"))
    signer = TokenSigner([generate_private_key()])
    token = signer.issue(user_id="bench", customer_id="bench-customer", roles=["admin"], username="bench",
                         ttl=timedelta(hours=2))
    jwks_file = workdir / "jwks.json"
    jwks_file.write_text(json.dumps(signer.jwks()))

    upstream_port, gateway_port = free_port(), free_port()
    upstream_url = f"http://127.0.0.1:{upstream_port}"
    base_env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    upstream = start(
        [str(BIN / "gunicorn"), "--chdir", str(HERE), "-b", f"127.0.0.1:{upstream_port}", "-k", "gthread",
         "-w", str(args.upstream_workers), "--threads", str(args.upstream_threads), "--keep-alive", "30",
         "upstream_app:create_app()"],
        {**base_env, "BENCH_JWKS_FILE": str(jwks_file)}, workdir / "upstream.log",
    )
    gateway = start(
        [str(BIN / "gunicorn"), "-c", "python:portal_gateway.gunicorn_conf",
         *(["-k", args.gateway_worker_class] if args.gateway_worker_class else []), "portal_gateway:create_app()"],
        {**base_env, "HOST": "127.0.0.1", "PORT": str(gateway_port), "WEB_CONCURRENCY": str(args.gateway_workers),
         "IDENTITY_URL": upstream_url, "BILLING_URL": upstream_url, "PAYMENT_URL": upstream_url,
         "SERVICEDESK_URL": upstream_url, "JWKS_URL": f"{upstream_url}/.well-known/jwks.json",
         "VAR_DIR": str(workdir / "var"), "GATEWAY_ACCESS_LOG": "true" if args.access_log == "on" else "false",
         "LOG_LEVEL": "WARNING"},
        workdir / "gateway.log",
    )
    try:
        wait_ready(f"{upstream_url}/healthz", upstream, "upstream")
        wait_ready(f"http://127.0.0.1:{gateway_port}/healthz", gateway, "gateway")
        print(f"cores: {os.cpu_count()}  concurrency: {args.concurrency}  phase: {args.duration:.0f} s x {args.rounds} "
              f"(+{args.warmup:.0f} s warm-up)  generator: {'wrk' if args.wrk else 'pure Python'}  "
              f"gateway: {args.gateway_workers} gevent workers, access log {args.access_log}  "
              f"upstream: {args.upstream_workers}x{args.upstream_threads} gthread")
        print(f"{'route':<7} {'path':<8} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} "
              f"{'CPU µs per request: generator':>30} {'gateway':>8} {'service':>8}")
        figures = {}
        for label, path in ROUTES:
            totals = {"direct": loadgen.Result(), "gateway": loadgen.Result()}
            cpu = {via: {"gateway": 0.0, "upstream": 0.0} for via in totals}
            # Rounds alternate direct and gateway, so a burst of other load on the machine
            # hits both sides rather than one.
            for _round in range(args.rounds):
                for via, port in (("direct", upstream_port), ("gateway", gateway_port)):
                    before = (process_tree_cpu(gateway.pid), process_tree_cpu(upstream.pid))
                    result = measure(port, path, token, args)
                    after = (process_tree_cpu(gateway.pid), process_tree_cpu(upstream.pid))
                    total = totals[via]
                    total.requests += result.requests
                    total.errors += result.errors
                    total.elapsed += result.elapsed
                    total.cpu += result.cpu
                    total.latencies += result.latencies
                    cpu[via]["gateway"] += after[0] - before[0]
                    cpu[via]["upstream"] += after[1] - before[1]
            for via, total in totals.items():
                per = (lambda seconds, t=total: f"{seconds / t.requests * 1e6:.0f}" if t.requests else "-")
                print(f"{label:<7} {via:<8} {total.rate:>8.0f} {total.percentile(0.50) * 1000:>7.2f} "
                      f"{total.percentile(0.99) * 1000:>7.2f} {total.errors:>6} {per(total.cpu):>30} "
                      f"{per(cpu[via]['gateway']):>8} {per(cpu[via]['upstream']):>8}")
                figures[f"{label} {via}"] = {"rps": round(total.rate, 1),
                                             "p50_ms": round(total.percentile(0.5) * 1000, 2),
                                             "p99_ms": round(total.percentile(0.99) * 1000, 2),
                                             "errors": total.errors}
            ratio = totals["gateway"].rate / totals["direct"].rate if totals["direct"].rate else 0.0
            figures[f"{label} ratio"] = round(ratio, 3)
            print(f"{label:<7} ratio    {ratio:>8.2f}x gateway/direct")
        if args.json:
            print(json.dumps(figures))
    finally:
        stop(gateway)
        stop(upstream)
        print(f"logs: {workdir}")


if __name__ == "__main__":
    main()
