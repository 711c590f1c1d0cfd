"""W1/W2 (../shared/BENCHMARKS.md): supportdesk vs django-helpdesk vs the framework floor, in one run.

    /work/main/.venv/bin/python bench/w1_w2.py                 # 100,000 tickets, SQLite, 3 x 20 s rounds
    /work/main/.venv/bin/python bench/w1_w2.py --quick         # 10,000 tickets, 3 s rounds (CI)
    /work/main/.venv/bin/python bench/w1_w2.py --tickets 1000000 --skip-helpdesk --only w2
    /work/main/.venv/bin/python bench/w1_w2.py --database postgres   # both contenders on PostgreSQL

Everything runs on 127.0.0.1 in a temp dir that is removed afterwards (keep it with --keep).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import helpdesk_peer  # noqa: E402

WRK = shutil.which("wrk") or "/usr/bin/wrk"
BODY_180 = ("The nightly sync to the records server fails with a timeout after the upgrade; users cannot open "
            "matters and the calendar shows stale entries. Logs attached, please advise us soon")[:180].ljust(180, ".")

LUA_COMMON = r'''
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body) if status < 200 or status > 299 then bad = bad + 1 end end
function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "non2xx": %d, ' ..
    '"socket_errors": %d}\n', summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), b,
    e.connect + e.read + e.write + e.timeout))
end
'''


def lua_request(method: str, headers: dict[str, str], body: str | None) -> str:
    lines = [f'wrk.method = "{method}"']
    for k, v in headers.items():
        lines.append(f'wrk.headers["{k}"] = "{v}"')
    if body is not None:
        lines.append(f"wrk.body = {json.dumps(body)}")
    return "\n".join(lines) + "\n" + LUA_COMMON


@dataclass
class Round:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


@dataclass
class Result:
    name: str
    rounds: list[Round] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return statistics.median(r.rps for r in self.rounds) if self.rounds else 0.0

    @property
    def p50(self) -> float:
        return statistics.median(r.p50_ms for r in self.rounds) if self.rounds else 0.0

    @property
    def p99(self) -> float:
        return max(r.p99_ms for r in self.rounds) if self.rounds else 0.0

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.rounds)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, headers: dict[str, str] | None = None, timeout: float = 10) -> tuple[int, float]:
    started = time.perf_counter()
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = 0
    return status, time.perf_counter() - started


def wait_ready(url: str, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        status, _ = get(url, timeout=2)
        if 200 <= status < 500:
            return
        time.sleep(0.2)
    raise SystemExit(f"server at {url} did not start in {limit:.0f} s")


def settle(url: str, headers: dict[str, str] | None = None, limit: float = 60) -> None:
    """Between runs: wait until the server answers a light request in under 0.25 s."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        status, took = get(url, headers)
        if status and took < 0.25:
            return
        time.sleep(0.5)


def run_wrk(url: str, script: Path, seconds: int, light_url: str) -> Round:
    settle(light_url)
    out = subprocess.run([WRK, "-t2", "-c32", f"-d{seconds}s", "--timeout", "30s", "--latency", "-s", str(script), url],
                         capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    data = json.loads(line[len("RESULT "):])
    return Round(rps=data["requests"] / (data["duration_us"] / 1e6), p50_ms=data["p50_us"] / 1000,
                 p99_ms=data["p99_us"] / 1000, errors=data["non2xx"] + data["socket_errors"])


def group_rss_mb(leader: int) -> dict[int, float]:
    """Resident memory of every process in the server's process group (uvicorn's master and workers)."""
    found: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != leader:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    found[int(entry.name)] = int(line.split()[1]) / 1024
        except (OSError, ProcessLookupError):
            continue
    return found


def start(cmd: list[str], env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, env=env, cwd=cwd, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def supportdesk_env(work: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SUPPORTDESK_TESTING", "DATABASE_URL")}
    env.update({"DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(REPO),
                "SUPPORTDESK_DATA_DIR": str(work / "supportdesk"), "SUPPORTDESK_TESTING": "0",
                "SUPPORTDESK_SECRET_KEY": "bench-only-secret-key-not-used-elsewhere-0123456789",
                "SUPPORTDESK_LOG_LEVEL": "WARNING"})
    if database_url:
        env["DATABASE_URL"] = database_url
        if os.environ.get("BENCH_PG_CONNECTIONS", "pool") == "pool":  # the per-process psycopg pool
            env.update({"SUPPORTDESK_DB_POOL": "1", "SUPPORTDESK_DB_POOL_SIZE": "16"})
        else:  # one persistent connection per web thread (2 per process): docs/deploy.md
            env["SUPPORTDESK_CONN_MAX_AGE"] = "600"
    return env


def fresh_postgres(url: str) -> str:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def bench_supportdesk(args: argparse.Namespace, work: Path, results: dict[str, Result]) -> None:
    database_url = fresh_postgres(args.postgres_url) if args.database == "postgres" else None
    env = supportdesk_env(work, database_url)
    t0 = time.perf_counter()
    seeded = json.loads(subprocess.run([sys.executable, str(REPO / "bench" / "seed_supportdesk.py"), str(args.tickets)],
                                       env=env, cwd=REPO, check=True, capture_output=True, text=True)
                        .stdout.strip().splitlines()[-1])
    print(f"supportdesk: seeded {seeded['tickets']:,} tickets in {time.perf_counter() - t0:.0f} s", flush=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start([sys.executable, "-m", "supportdesk.cli", "web", "--host", "127.0.0.1", "--port", str(port),
                    "--workers", "2", "--log-level", "warning"],
                   env, REPO, work / "supportdesk-server.log")
    try:
        wait_ready(f"{base}/bench/floor")
        light = f"{base}/bench/floor"
        auth = {"Authorization": f"Bearer {seeded['agent_token']}", "Content-Type": "application/json"}
        scripts = work / "lua"
        scripts.mkdir(exist_ok=True)
        (scripts / "floor.lua").write_text(lua_request("GET", {}, None))
        (scripts / "sd_w1.lua").write_text(lua_request("POST", auth, json.dumps(
            {"subject": "Records sync fails after upgrade", "body": BODY_180, "requester_id": seeded["requester_id"],
             "severity": 2})))
        (scripts / "sd_w2.lua").write_text(lua_request("GET", {"Authorization": auth["Authorization"]}, None))
        checks = [("floor", light, scripts / "floor.lua")]
        if "w1" in args.only:
            checks.append(("supportdesk W1", f"{base}/api/v1/tickets/", scripts / "sd_w1.lua"))
        if "w2" in args.only:
            checks.append(("supportdesk W2", f"{base}/api/v1/tickets/?open_only=true", scripts / "sd_w2.lua"))
            status, _ = get(f"{base}/api/v1/tickets/?open_only=true", {"Authorization": auth["Authorization"]})
            if status != 200:
                raise SystemExit(f"supportdesk W2 answered {status}")
        run_checks(args, checks, light, results)
        rss = group_rss_mb(server.pid)
        print(f"  supportdesk web RSS after the runs (MB, per process): "
              f"{', '.join(f'{v:.0f}' for v in sorted(rss.values()))}", flush=True)
    finally:
        stop(server)


def bench_helpdesk(args: argparse.Namespace, work: Path, results: dict[str, Result]) -> None:
    root = work / "helpdesk"
    postgres_name = None
    if args.database == "postgres":  # the peer's own database next to supportdesk's, on the same server
        postgres_name = fresh_postgres(args.postgres_url.rpartition("/")[0] + "/bench_helpdesk").rpartition("/")[2]
    t0 = time.perf_counter()
    seeded = helpdesk_peer.seed(args.helpdesk_venv, root, args.tickets, postgres_name)
    print(f"django-helpdesk: seeded {seeded['tickets']:,} tickets in {time.perf_counter() - t0:.0f} s", flush=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = helpdesk_peer.environment(root, postgres_name)
    server = start(helpdesk_peer.server_command(args.helpdesk_venv, port), env, root, work / "helpdesk-server.log")
    try:
        light = f"{base}/bench-ping/"
        wait_ready(light)
        scripts = work / "lua"
        scripts.mkdir(exist_ok=True)
        (scripts / "hd_w1.lua").write_text(lua_request("POST", {
            "Authorization": f"Token {seeded['token']}", "Content-Type": "application/json"}, json.dumps(
            {"queue": seeded["queue_id"], "title": "Records sync fails after upgrade", "description": BODY_180,
             "submitter_email": "client@example.com", "priority": 2})))
        (scripts / "hd_w2.lua").write_text(lua_request("GET", {"Cookie": f"sessionid={seeded['session']}"}, None))
        query = base64.b64encode(json.dumps({"filtering": {"status__in": [1, 2]}, "sorting": "priority",
                                             "search_string": "", "sortreverse": False}).encode()).decode()
        w2_url = (f"{base}/datatables_ticket_list/{query}?draw=1&start=0&length=25"
                  "&order%5B0%5D%5Bcolumn%5D=2&order%5B0%5D%5Bdir%5D=asc")
        checks = []
        if "w1" in args.only:
            checks.append(("django-helpdesk W1", f"{base}/api/tickets/", scripts / "hd_w1.lua"))
        if "w2" in args.only:
            status, _ = get(w2_url, {"Cookie": f"sessionid={seeded['session']}"}, timeout=60)
            if status != 200:
                raise SystemExit(f"django-helpdesk W2 answered {status}")
            checks.append(("django-helpdesk W2", w2_url, scripts / "hd_w2.lua"))
        run_checks(args, checks, light, results)
    finally:
        stop(server)


def run_checks(args: argparse.Namespace, checks: list[tuple[str, str, Path]], light: str,
               results: dict[str, Result]) -> None:
    """Per run: one uncounted warm-up round (imports, URL and schema caches, connections in every worker
    process and thread, for both contenders alike), then the counted rounds."""
    for name, url, script in checks:
        if args.warmup:
            warm = run_wrk(url, script, args.warmup, light)
            print(f"  {name}: warm-up (not counted) {warm}", flush=True)
        results[name] = Result(name)
        for _ in range(args.rounds):
            results[name].rounds.append(run_wrk(url, script, args.duration, light))
            print(f"  {name}: {results[name].rounds[-1]}", flush=True)


def report(args: argparse.Namespace, results: dict[str, Result]) -> dict:
    print(f"\nW1/W2 on {args.database}, {args.tickets:,} tickets, {args.rounds} x {args.duration} s "
          "(median req/s and p50 over rounds, worst p99, errors summed)")
    print(f"{'run':<22}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    for r in results.values():
        print(f"{r.name:<22}{r.rps:>10.1f}{r.p50:>10.2f}{r.p99:>10.2f}{r.errors:>8}")
    floor = results.get("floor")
    summary: dict = {"database": args.database, "tickets": args.tickets, "rounds": args.rounds,
                     "duration": args.duration, "runs": {r.name: {"rps": round(r.rps, 1), "p50_ms": round(r.p50, 2),
                                                                  "p99_ms": round(r.p99, 2), "errors": r.errors}
                                                         for r in results.values()}}
    for w, goal in (("W1", 10), ("W2", 200)):
        ours, peer = results.get(f"supportdesk {w}"), results.get(f"django-helpdesk {w}")
        if ours is None:
            continue
        line = f"{w}: "
        if peer and peer.rps:
            ratio = ours.rps / peer.rps
            summary[f"{w}_ratio"] = round(ratio, 1)
            line += f"{ratio:.1f}x django-helpdesk (goal >= {goal}x: {'met' if ratio >= goal else 'NOT met'}); "
        if floor and floor.rps:
            summary[f"{w}_floor_share"] = round(ours.rps / floor.rps, 3)
            line += f"{100 * ours.rps / floor.rps:.0f} % of the floor; "
        line += f"p99 {ours.p99:.1f} ms (goal < 100 ms: {'met' if ours.p99 < 100 else 'NOT met'}); errors {ours.errors}"
        print(line)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=20, help="seconds per wrk round")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of an uncounted warm-up round per run (0: none)")
    parser.add_argument("--quick", action="store_true", help="10,000 tickets, 3 s rounds (CI)")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL",
                                                                 "postgres://postgres@127.0.0.1:5432/bench_supportdesk"))
    parser.add_argument("--only", default="w1,w2", help="w1, w2 or both")
    parser.add_argument("--skip-helpdesk", action="store_true")
    parser.add_argument("--helpdesk-venv", type=Path, default=helpdesk_peer.DEFAULT_VENV)
    parser.add_argument("--json", type=Path, help="also write the summary here")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = parser.parse_args()
    if args.quick:
        args.tickets, args.duration, args.warmup = min(args.tickets, 10_000), 3, min(args.warmup, 2)
    if not Path(WRK).exists():
        raise SystemExit("wrk is missing: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="supportdesk-bench-"))
    results: dict[str, Result] = {}
    try:
        bench_supportdesk(args, work, results)
        if not args.skip_helpdesk:
            bench_helpdesk(args, work, results)
        summary = report(args, results)
        if args.json:
            args.json.write_text(json.dumps(summary, indent=2))
    finally:
        if args.keep:
            print(f"temp dir kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
