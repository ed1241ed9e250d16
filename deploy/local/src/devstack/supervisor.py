"""The local stack's process supervisor: every process of ``make run`` under one roof.

Each process's output is prefixed with its name. A process that dies is started again,
after a backoff that doubles from one second up to thirty (back to one once it has run a
minute), and the supervisor says which one died, how, and when it comes back. The stack
stops only on Ctrl-C or SIGTERM: the services get SIGTERM, then PostgreSQL and NATS, each
SIGKILL if it is still there after the grace period. Each process's pid is in
``<DATA_DIR>/pids/<name>.pid`` while it runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Program:
    name: str
    command: Sequence[str]
    #: Stopped after the others (PostgreSQL, NATS), so that the services stop cleanly.
    infrastructure: bool = False


@dataclass
class _Running:
    program: Program
    process: asyncio.subprocess.Process | None = None
    restarts: int = 0
    started_at: float = 0.0
    pump: asyncio.Task[None] | None = field(default=None, repr=False)


FIRST_BACKOFF, MAX_BACKOFF, STEADY_SECONDS = 1.0, 30.0, 60.0


def _say(name: str, line: str, width: int) -> None:
    sys.stdout.write(f"{time.strftime('%H:%M:%S')} {name:<{width}} | {line}\n")
    sys.stdout.flush()


class Supervisor:
    def __init__(
        self,
        programs: Sequence[Program],
        *,
        cwd: str,
        pid_dir: Path,
        grace_seconds: float = 10.0,
    ) -> None:
        self.programs = list(programs)
        self.cwd = cwd
        self.pid_dir = pid_dir
        self.grace = grace_seconds
        self.width = max(len(p.name) for p in [*self.programs, Program("stack", ())])
        self.stopping = asyncio.Event()

    def say(self, name: str, line: str) -> None:
        _say(name, line, self.width)

    async def _start(self, running: _Running) -> None:
        process = await asyncio.create_subprocess_exec(
            *running.program.command,
            cwd=self.cwd,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,  # signals reach it from us, not from the terminal
        )
        running.process, running.started_at = process, time.monotonic()
        (self.pid_dir / f"{running.program.name}.pid").write_text(f"{process.pid}\n")
        running.pump = asyncio.create_task(self._pump(running.program.name, process))

    async def _pump(self, name: str, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        async for raw in process.stdout:
            self.say(name, raw.decode(errors="replace").rstrip("\n"))

    async def _watch(self, running: _Running) -> None:
        """Keep one program running until the stack stops."""
        backoff = FIRST_BACKOFF
        while not self.stopping.is_set():
            await self._start(running)
            assert running.process is not None
            code = await running.process.wait()
            if running.pump is not None:
                await running.pump
            if self.stopping.is_set():
                return
            if time.monotonic() - running.started_at >= STEADY_SECONDS:
                backoff = FIRST_BACKOFF
            how = f"signal {-code}" if code < 0 else f"code {code}"
            running.restarts += 1
            self.say(
                "stack",
                f"{running.program.name} exited ({how}); restarting it in {backoff:.0f} s "
                f"(restart {running.restarts})",
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), backoff)
            backoff = min(MAX_BACKOFF, backoff * 2)

    async def _stop_all(self, running: list[_Running]) -> None:
        """The services first, then what they depend on; each wave SIGTERM, then SIGKILL
        after the grace period."""
        for infrastructure in (False, True):
            await self._stop([r for r in running if r.program.infrastructure is infrastructure])
        for r in running:
            (self.pid_dir / f"{r.program.name}.pid").unlink(missing_ok=True)

    async def _stop(self, running: list[_Running]) -> None:
        alive = [r.process for r in running if r.process and r.process.returncode is None]
        for process in alive:  # the process itself: it stops its own children
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(asyncio.gather(*(p.wait() for p in alive)), timeout=self.grace)
        except TimeoutError:
            for r in running:
                if r.process and r.process.returncode is None:
                    self.say("stack", f"{r.program.name} did not stop: SIGKILL")
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(r.process.pid, signal.SIGKILL)

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        received: list[int] = []

        def stop(signum: int) -> None:
            if not received:
                self.say("stack", f"{signal.Signals(signum).name}: stopping everything")
            received.append(signum)
            self.stopping.set()

        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop, signum)
        self.pid_dir.mkdir(parents=True, exist_ok=True)
        running = [_Running(p) for p in self.programs]
        watchers = [asyncio.create_task(self._watch(r)) for r in running]
        await self.stopping.wait()
        await self._stop_all(running)
        for task in watchers:
            task.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)
        self.say("stack", "stopped")
        return 0


def supervise(programs: Sequence[Program], *, cwd: str, pid_dir: Path) -> int:
    """Run the programs until Ctrl-C or SIGTERM; each one's pid in ``pid_dir/<name>.pid``."""
    return asyncio.run(Supervisor(programs, cwd=cwd, pid_dir=pid_dir).run())
