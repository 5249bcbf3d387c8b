"""A real Spark standalone cluster on the loopback interface: a master and workers as separate JVM processes.

Local mode runs the driver and the executors in one JVM, so it never shows what a cluster does differently:
tasks serialised and shipped to other processes, shuffle blocks fetched over the network, Parquet read by
executors that are not the driver. The master and workers are started from the pyspark distribution itself
(`bin/spark-class`, the same classes `start-master.sh` and `start-worker.sh` run), each in its own process
group so that all of them, JVM children included, are stopped even when a test or a benchmark fails.

Used by tests/engine/spark/test_cluster_parity.py and benchmarks/spark_cluster.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LOOPBACK = "127.0.0.1"
MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"


class ClusterError(RuntimeError):
    """The cluster did not come up: carries the tail of the logs of the processes that failed."""


def spark_home() -> Path:
    """The pyspark package is a Spark distribution: bin/spark-class and jars/ sit beside its Python code."""
    import pyspark

    return Path(pyspark.__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


@dataclass
class StandaloneCluster:
    """A running master and its workers; `master_url` is what a driver connects to."""

    folder: Path
    workers: int = 2
    worker_cores: int = 1
    worker_memory: str = "1g"
    daemon_memory: str = "512m"  # heap of the master and worker daemons themselves (Spark's default is 1g)
    master_port: int = field(default_factory=free_port)
    webui_port: int = field(default_factory=free_port)
    processes: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    @property
    def master_url(self) -> str:
        return f"spark://{LOOPBACK}:{self.master_port}"

    @property
    def webui_url(self) -> str:
        return f"http://{LOOPBACK}:{self.webui_port}"

    def environment(self) -> dict[str, str]:
        """What the daemons (and the executors they launch) run with: loopback only, this Python for any Python
        worker, logs and scratch space inside the cluster's folder."""
        home = spark_home()
        return {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": LOOPBACK, "SPARK_LOCAL_DIRS":
                str(self.folder / "scratch"), "SPARK_DAEMON_MEMORY": self.daemon_memory,
                "PYSPARK_PYTHON": sys.executable, "SPARK_CONF_DIR": str(self.folder / "conf")}

    def _spawn(self, name: str, *args: str) -> None:
        log = (self.folder / f"{name}.log").open("wb")
        command = [str(spark_home() / "bin" / "spark-class"), *args]
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=self.environment(),
                                   start_new_session=True)  # its own process group: stopped with all its children
        log.close()
        self.processes.append((name, process))

    def start(self, timeout: float = 180) -> StandaloneCluster:
        for sub in ("scratch", "conf"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        self._spawn("master", MASTER_CLASS, "--host", LOOPBACK, "--port", str(self.master_port),
                    "--webui-port", str(self.webui_port))
        self.wait_for(lambda state: state.get("status") == "ALIVE", "the master", timeout)
        for n in range(self.workers):
            work = self.folder / f"worker-{n}"
            work.mkdir(exist_ok=True)
            self._spawn(f"worker-{n}", WORKER_CLASS, "--host", LOOPBACK, "--port", str(free_port()),
                        "--webui-port", str(free_port()), "--cores", str(self.worker_cores),
                        "--memory", self.worker_memory, "--work-dir", str(work), self.master_url)
        self.wait_for(lambda state: state.get("aliveworkers") == self.workers,
                      f"{self.workers} workers to register", timeout)
        return self

    def state(self) -> dict[str, Any]:
        """The master's own account of the cluster (the JSON behind its web UI): workers, cores, applications."""
        with urllib.request.urlopen(f"{self.webui_url}/json", timeout=5) as response:
            return dict(json.load(response))

    def wait_for(self, ready: Any, what: str, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for name, process in self.processes:
                if process.poll() is not None:
                    raise ClusterError(f"the Spark {name} exited ({process.returncode}) while waiting for {what}:\n"
                                       + self.log_tail(name))
            try:
                state = self.state()
                if ready(state):
                    return state
            except OSError:
                pass  # the web UI is not listening yet
            if time.monotonic() > deadline:
                raise ClusterError(f"timed out after {timeout:.0f} s waiting for {what}:\n"
                                   + "\n".join(self.log_tail(name) for name, _ in self.processes))
            time.sleep(0.5)

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.folder / f"{name}.log"
        text = path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else []
        return f"--- {name} ---\n" + "\n".join(text)

    def stop(self, grace: float = 20) -> None:
        """Workers first, then the master; each process group gets SIGTERM, then SIGKILL after `grace` s."""
        for _, process in reversed(self.processes):
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for _, process in reversed(self.processes):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
            _signal_group(process, signal.SIGKILL)  # executors a worker launched share its group
        self.processes.clear()


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)  # start_new_session: the group id is the process's own id


@contextmanager
def standalone_cluster(folder: Path | None = None, **settings: Any) -> Iterator[StandaloneCluster]:
    """A started cluster, stopped on the way out whatever happened inside (or while it was starting)."""
    with tempfile.TemporaryDirectory(prefix="placespend-spark-") as scratch:
        cluster = StandaloneCluster(folder or Path(scratch), **settings)
        try:
            yield cluster.start()
        finally:
            cluster.stop()
