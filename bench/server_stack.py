"""The framework floor (a constant JSON through the full middleware and URL stack, GET /bench/floor)
served four ways, 2 worker processes each: uvicorn with Django's ASGI handler (supportdesk before issue
9's work); uvicorn with Django's WSGI handler on a2wsgi's bridge (1 thread); uvicorn with supportdesk.asgi
(the WSGI handler on supportdesk.wsgi_bridge, one hand-off per request, gc.freeze); and `supportdesk web`
(the same app, each worker on its own SO_REUSEPORT socket). Same wrk client as bench/w1_w2.py.

    /work/main/.venv/bin/python bench/server_stack.py [--rounds 3] [--duration 10]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.w1_w2 import (  # noqa: E402
    Result,
    free_port,
    lua_request,
    run_wrk,
    start,
    stop,
    supportdesk_env,
    wait_ready,
)

# name -> command after `python -m`
SERVERS = {
    "uvicorn --workers 2, Django ASGI handler": ["uvicorn", "bench.asgi_django_handler:application", "--workers", "2",
                                                 "--no-access-log"],
    "uvicorn --workers 2, a2wsgi bridge": ["uvicorn", "bench.asgi_a2wsgi:application", "--workers", "2",
                                           "--no-access-log"],
    "uvicorn --workers 2, supportdesk.asgi": ["uvicorn", "supportdesk.asgi:application", "--workers", "2",
                                              "--no-access-log"],
    "supportdesk web --workers 2": ["supportdesk.cli", "web", "--workers", "2"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="supportdesk-stack-"))
    results: dict[str, Result] = {}
    try:
        script = work / "floor.lua"
        script.write_text(lua_request("GET", {}, None))
        for name, command in SERVERS.items():
            port = free_port()
            url = f"http://127.0.0.1:{port}/bench/floor"
            server = start([sys.executable, "-m", *command, "--host", "127.0.0.1", "--port", str(port),
                            "--log-level", "warning"], supportdesk_env(work, None), REPO, work / "server.log")
            try:
                wait_ready(url)
                run_wrk(url, script, args.warmup, url)
                results[name] = Result(name)
                for _ in range(args.rounds):
                    results[name].rounds.append(run_wrk(url, script, args.duration, url))
                    print(f"  {name}: {results[name].rounds[-1]}", flush=True)
            finally:
                stop(server)
        print(f"\nfloor, uvicorn --workers 2, wrk -t2 -c32, {args.rounds} x {args.duration} s after a "
              f"{args.warmup} s warm-up (median req/s and p50, worst p99)")
        print(f"{'server':<44}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
        for r in results.values():
            print(f"{r.name:<44}{r.rps:>10.1f}{r.p50:>10.2f}{r.p99:>10.2f}{r.errors:>8}")
        first, *_, last = results.values()
        print(f"ratio, last to first: {last.rps / first.rps:.1f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
