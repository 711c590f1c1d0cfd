"""The web processes: uvicorn workers, each accepting on its own SO_REUSEPORT socket.

`uvicorn --workers N` shares one listening socket between its workers, and whichever worker wakes first
accepts a burst of connections: under 32 keep-alive clients we measured 24 connections on one worker and
8 on the other, so a third of the clients queued three times as long (bench/README.md, "Server stack").
With a socket per worker bound with SO_REUSEPORT, the kernel spreads connections over the workers by
hash. This module starts the workers, restarts one that dies, and stops them all on SIGTERM/SIGINT.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
import time
from multiprocessing.process import BaseProcess
from typing import Any

APP = "supportdesk.asgi:application"
BACKLOG = 2048


def reuse_port_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    sock.set_inheritable(True)
    return sock


def run_worker(host: str, port: int, app: str, options: dict[str, Any]) -> None:
    """One web process: its own socket on (host, port), one uvicorn server on it."""
    import uvicorn

    config = uvicorn.Config(app, host=host, port=port, access_log=options.get("access_log", False),
                            log_level=options.get("log_level", "info"))
    # The app (Django, every URL module) is imported before the socket listens: the kernel sends a share of new
    # connections to a SO_REUSEPORT socket as soon as it listens, and a restarted worker still importing would
    # hold them for seconds.
    config.load()
    sock = reuse_port_socket(host, port)
    uvicorn.Server(config).run(sockets=[sock])


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 2, app: str = APP,
          **options: Any) -> None:
    """Run `workers` web processes until SIGTERM/SIGINT; a worker that dies is started again."""
    if not hasattr(socket, "SO_REUSEPORT"):  # not Linux/BSD: uvicorn's own shared socket
        import uvicorn

        uvicorn.run(app, host=host, port=port, workers=workers, access_log=options.get("access_log", False),
                    log_level=options.get("log_level", "info"))
        return
    reuse_port_socket(host, port).close()  # fail here, in the parent, if the address is taken
    context = multiprocessing.get_context("spawn")
    processes: list[BaseProcess] = []

    def start() -> BaseProcess:
        process = context.Process(target=run_worker, args=(host, port, app, options), daemon=False)
        process.start()
        return process

    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    processes.extend(start() for _ in range(workers))
    while not stopping:
        for i, process in enumerate(processes):
            if not process.is_alive() and not stopping:
                print(f"web worker {process.pid} exited with {process.exitcode}; starting another",
                      file=sys.stderr, flush=True)
                processes[i] = start()
        time.sleep(0.5)
    for process in processes:
        process.terminate()  # uvicorn finishes the requests in flight, then exits
    for process in processes:
        process.join(timeout=15)
        if process.is_alive():
            process.kill()
