"""Every relay, consumer and mailer (billing-stamper, the relay of billing's receipts, too) starts
and keeps running with METRICS_PORT set, as compose and Kubernetes start them, and serves its
counters there.

On the composed stack the same is proven by each container's health check, which probes its
/metrics (deploy/compose-test fails when a container restarts)."""
from __future__ import annotations

import pytest
import requests

from stack import Stack, wait_until

PROCESS_SUFFIXES = ("-relay", "-consumer", "-mailer", "-stamper")
# What each kind of process counts (portal_shared.metrics.messaging).
COUNTERS = {"-relay": "relay_published_total", "-mailer": "relay_published_total",
            "-stamper": "relay_published_total", "-consumer": "messages_consumed_total"}


@pytest.mark.needs_processes("reads the ports and exit codes of the processes the suite started")
def test_every_relay_consumer_and_mailer_serves_metrics_and_keeps_running(stack: Stack):
    processes = {name: proc for name, proc in stack.procs.items() if name.endswith(PROCESS_SUFFIXES)}
    # A relay and a consumer per service (four each), the three mailers (identity, payment,
    # servicedesk) and billing-stamper.
    assert len(processes) == 12, sorted(processes)
    for name, proc in sorted(processes.items()):
        port = proc.env.get("METRICS_PORT")
        assert port, f"{name} was started without METRICS_PORT"
        url = f"http://127.0.0.1:{port}/metrics"

        def answers() -> bool:
            assert proc.popen.poll() is None, f"{name} exited with {proc.popen.returncode}: see {proc.log_path}"
            try:
                return requests.get(url, timeout=2).status_code == 200
            except requests.ConnectionError:
                return False

        wait_until(answers, timeout=30, what=f"{name}'s /metrics on {url}")
        body = requests.get(url, timeout=2).text
        counter = COUNTERS[next(suffix for suffix in PROCESS_SUFFIXES if name.endswith(suffix))]
        assert f"# TYPE {counter} counter" in body, f"{name}: no {counter} in its metrics"
        assert proc.popen.poll() is None, f"{name} stopped after serving its metrics"
