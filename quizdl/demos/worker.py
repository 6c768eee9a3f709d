"""A warm demo process: torch and a card's demo module imported ahead of the `d` key.

Server (`python -m quizdl.demos.worker`): imports torch at once, then reads one JSON request per line on
stdin and answers each with one JSON line on stdout:

- `{"id": 1, "prepare": "dying-relu"}` imports the demo's module and picks the device:
  `{"id": 1, "prepared": "dying-relu", "device": "cpu"}`;
- `{"id": 2, "run": "dying-relu", "device": "auto", "seed": 0}` runs it: the same data
  `quizdl demo dying-relu --json` prints, plus the id. Before that answer it may send event lines
  `{"id": 2, "event": "start", "device": "cpu"}` and `{"id": 2, "event": "progress", "label": .., "fraction": ..}`;
- a request that fails gets `{"id": .., "error": "one line"}` and the worker carries on.

It exits when its stdin closes, so whatever ends the quiz (q, Ctrl-C, end of input, kill -9) ends it too; a
thread also watches the parent, for a quiz killed while the worker is busy (importing torch, running a demo).

Client (`DemoWorker`): starts the server without waiting, never blocks except in `run`, and turns a crash or
a silence longer than `timeout` into one DemoError line; the next `run` starts a fresh server.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import IO, Any

from quizdl.errors import DemoError

DEFAULT_TIMEOUT = 60.0  # seconds without a line from a running demo before the worker counts as hung
PROGRESS_EVERY = 0.1  # seconds between progress lines
FAULT_ENV = "QUIZDL_DEMO_WORKER_FAULT"  # tests: a file holding "crash" or "hang", used up by the next run
TIMEOUT_ENV = "QUIZDL_DEMO_WORKER_TIMEOUT"  # tests: seconds, instead of DEFAULT_TIMEOUT


# --- server -------------------------------------------------------------------------------------------------


def _fault() -> str | None:
    """The injected fault for this run, if a test asked for one (the file is removed: it fires once)."""
    path = os.environ.get(FAULT_ENV)
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as f:
            kind = f.read().strip()
        os.remove(path)
    except OSError:
        return None
    return kind


def _handle(request: dict[str, Any], send: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    from quizdl.demos import registry
    from quizdl.demos.device import pick_device

    rid = request.get("id")
    if "prepare" in request:
        import quizdl.ui.demo_view  # noqa: F401 - what `run` uses (rich, charts): paid now rather than at the key

        name = str(request["prepare"])
        registry.get(name)
        return {"id": rid, "prepared": name, "device": pick_device(str(request.get("device", "auto")))}
    if "run" in request:
        from quizdl.ui.demo_view import demo_payload, run_demo

        name = str(request["run"])
        device, seed, steps = str(request.get("device", "auto")), int(request.get("seed", 0)), request.get("steps")
        if (fault := _fault()) == "crash":
            print("quizdl demo worker: injected crash", file=sys.stderr, flush=True)
            os._exit(70)
        elif fault == "hang":
            time.sleep(3600)
        registry.get(name)
        send({"id": rid, "event": "start", "device": pick_device(device)})
        last = [0.0]

        def progress(label: str, fraction: float) -> None:
            now = time.monotonic()
            if now - last[0] >= PROGRESS_EVERY:
                last[0] = now
                done = float(fraction) if math.isfinite(fraction) else 0.0
                send({"id": rid, "event": "progress", "label": str(label), "fraction": done})

        result, used, seconds = run_demo(name, device=device, seed=seed, steps=steps, progress=progress)
        return {"id": rid, **demo_payload(result, used, name=name, seed=seed, steps=steps, seconds=round(seconds, 3))}
    raise DemoError(f"not a worker request: {json.dumps(request)[:100]}")


def serve(requests: IO[str], replies: IO[str]) -> None:
    """Answer requests until `requests` ends."""

    def send(message: dict[str, Any]) -> None:
        replies.write(json.dumps(message, allow_nan=False) + "\n")
        replies.flush()

    for line in requests:
        if not line.strip():
            continue
        request: dict[str, Any] = {}
        try:
            parsed = json.loads(line)
            if not isinstance(parsed, dict):
                raise DemoError("a request must be a JSON object")
            request = parsed
            send(_handle(request, send))
        except BrokenPipeError:
            return
        except Exception as err:  # a failing demo must not take the worker down
            text = str(err) if isinstance(err, DemoError) else f"{type(err).__name__}: {err}"
            send({"id": request.get("id"), "error": " ".join(text.split())})


def _exit_with_parent(parent: int) -> None:
    """Exit once the quiz is gone, even in the middle of a demo or of the torch import (stdin's EOF waits)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def main() -> None:
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True, name="parent-watch").start()
    # Replies get the real stdout; anything a demo prints goes to stderr so it cannot break the protocol.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    import torch  # noqa: F401 - the point of the worker: pay for this before the key is pressed

    with contextlib.suppress(BrokenPipeError, KeyboardInterrupt):
        serve(sys.stdin, replies)


# --- client -------------------------------------------------------------------------------------------------


class DemoWorker:
    """One warm worker process, started on the first `prepare` (or `run`), replaced after a crash or hang."""

    def __init__(self, timeout: float | None = None, command: list[str] | None = None) -> None:
        self.timeout = timeout if timeout is not None else float(os.environ.get(TIMEOUT_ENV) or DEFAULT_TIMEOUT)
        self.command = command or [sys.executable, "-m", "quizdl.demos.worker"]
        self.proc: subprocess.Popen[str] | None = None
        self._replies: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._stderr: IO[bytes] | None = None
        self._next_id = 0
        self._prepared: set[str] = set()

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def _start(self) -> subprocess.Popen[str]:
        """A running worker: the current one, or a fresh one if there is none or it died. Does not wait."""
        if self.proc is not None and self.proc.poll() is None:
            return self.proc
        self._stop()
        try:
            self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the worker; _stop closes it
            self.proc = subprocess.Popen(  # its own session: Ctrl-C and hang-ups in the terminal are the quiz's
                self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                text=True, encoding="utf-8", bufsize=1, start_new_session=True,
            )  # fmt: skip
        except OSError as err:
            self._stop()
            raise DemoError(f"could not start the demo worker: {err}") from None
        self._replies = queue.Queue()
        stdout, replies = self.proc.stdout, self._replies
        threading.Thread(target=self._read, args=(stdout, replies), daemon=True, name="demo-worker").start()
        return self.proc

    @staticmethod
    def _read(stdout: IO[str] | None, replies: queue.Queue[dict[str, Any] | None]) -> None:
        with contextlib.suppress(OSError, ValueError):
            for line in stdout or ():
                with contextlib.suppress(ValueError):
                    message = json.loads(line)
                    if isinstance(message, dict):
                        replies.put(message)
        replies.put(None)  # the worker closed its stdout: it has exited

    def _send(self, request: dict[str, Any]) -> int:
        proc = self._start()
        self._next_id += 1
        assert proc.stdin is not None
        try:
            proc.stdin.write(json.dumps({"id": self._next_id, **request}) + "\n")
            proc.stdin.flush()
        except OSError:  # it died just now; the reader reports it as a crash
            pass
        return self._next_id

    def prepare(self, name: str) -> None:
        """Start the worker if needed and have it import `name`'s module; returns at once, and never raises
        DemoError (a worker that cannot start is reported by `run`)."""
        if self.proc is not None and self.proc.poll() is None and name in self._prepared:
            return
        if self.proc is None or self.proc.poll() is not None:
            self._prepared = set()
        with contextlib.suppress(DemoError):
            self._send({"prepare": name})
            self._prepared.add(name)

    def run(
        self, name: str, *, device: str = "auto", seed: int = 0, steps: int | None = None,
        on_event: Callable[[dict[str, Any]], None] | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Run demo `name` in the worker and return what `quizdl demo NAME --json` prints (as a dict).

        Event lines go to `on_event`. A demo error raises DemoError; so does a worker that exits or says
        nothing for `timeout` seconds, after which it is stopped and the next call starts a fresh one.
        """
        if self.proc is None or self.proc.poll() is not None:
            self._prepared = set()
        rid = self._send({"run": name, "device": device, "seed": seed, "steps": steps})
        replies = self._replies
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                message = replies.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self._stop()
                raise DemoError(
                    f"the demo worker gave no answer in {self.timeout:g} s and was stopped; press d to try again"
                ) from None
            if message is None:
                raise DemoError(f"the demo worker stopped ({self._exit_reason()}); press d to try again")
            if message.get("id") != rid:
                continue  # the answer to an earlier prepare
            if "event" in message:
                deadline = time.monotonic() + self.timeout
                if on_event is not None:
                    on_event(message)
                continue
            if "error" in message:
                raise DemoError(str(message["error"]))
            message.pop("id", None)
            return message

    def _exit_reason(self) -> str:
        code: int | None = None
        if self.proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = self.proc.wait(timeout=2)
        last = ""
        if self._stderr is not None:
            with contextlib.suppress(OSError, ValueError):
                self._stderr.seek(0)
                lines = [x for x in self._stderr.read().decode(errors="replace").splitlines() if x.strip()]
                last = lines[-1].strip()[:80] if lines else ""
        self._stop()
        reason = f"exit code {code}" if code is not None else "no exit code"
        return f"{reason}: {last}" if last else reason

    def _stop(self) -> None:
        proc, self.proc = self.proc, None
        self._prepared = set()
        if proc is not None:
            with contextlib.suppress(OSError, ValueError):
                if proc.stdin is not None:
                    proc.stdin.close()  # EOF: the worker's own way out
            if proc.poll() is None:
                with contextlib.suppress(OSError):
                    proc.kill()  # don't wait for it to finish a demo or its torch import
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=1)  # killed: milliseconds; the reader thread then sees the end of its stdout
        if self._stderr is not None:
            with contextlib.suppress(OSError):
                self._stderr.close()
            self._stderr = None

    def close(self) -> None:
        """Stop the worker (if any) without waiting for it to finish what it is doing."""
        self._stop()


if __name__ == "__main__":
    main()
