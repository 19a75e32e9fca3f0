"""`make bench`: the project against a bare ceiling measured in the same run.

Steps: generate 1,000 sessions (`meeting generate`), time `meeting import` and a re-import
with 50 changes, bulk-insert 30,000 attendees with agendas of 20-30 sessions and feed
tokens, serve with the real `meeting serve`, save its bodies, serve the same bodies from
the bare ceiling (bench/ceiling.py) under the same uvicorn settings, load both with wrk
(HTTP) and WebSocket client processes (bench/ws_load.py), print one table and save it to
bench/results/latest.json. Everything listens on 127.0.0.1 only.

Settings (short, so the whole run stays near eighteen minutes on two cores) are the constants
below; MEETING_BENCH_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1/postgres) adds
the import and HTTP figures on PostgreSQL, in a database `meeting_bench` dropped after, and
moves W5 there (several workers are meant to run on PostgreSQL). Every figure and its
ceiling take turns, run by run, so both come from the same moments of a shared machine.
"""

# ruff: noqa: S603, S607 (the bench starts its own commands: this interpreter, wrk)

from __future__ import annotations

import base64
import dataclasses
import json
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx2 as httpx
import itsdangerous
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, insert, make_url, select, text

from bench import ceiling, load, ws_load
from bench.side_by_side import Probe, paired_ratio, side_by_side
from bench.sockets import free_port, listening_sockets
from meeting.accounts.models import User
from meeting.accounts.passwords import hash_password
from meeting.agenda.models import AgendaEntry
from meeting.calendars.models import FeedToken
from meeting.calendars.tokens import derive_token, hash_token
from meeting.db import create_db_engine
from meeting.enums import Audience, SessionStatus
from meeting.generate import generate_program
from meeting.program.models import Session
from meeting.program.yaml_format import render_program_yaml

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "latest.json"
SESSIONS = 1000
ATTENDEES = 30_000
AGENDA_SIZES = (20, 30)
CHANGES = 50
SEED = 2020
SECRET = "bench-secret-key-not-for-production"  # noqa: S105 (a throwaway database)
QUICK = os.environ.get("BENCH_QUICK") == "1"
"""A smoke run of the bench itself (one short run per figure, small rooms): not figures."""
RUNS = 1 if QUICK else 3
RUN_SECONDS = 1 if QUICK else 2
WARM_SECONDS = 1
COLD_TOKENS_PER_RUN = 9000
"""Feeds per H3 run: 1,000 warm ones and 3 runs of these stay within the 30,000 attendees."""
FAR_ZONE = "Pacific/Kiritimati"
WS_SIZES = (200,) if QUICK else (1000, 5000)
LADDER: dict[int, tuple[float, ...]] = {
    200: (10, 20),
    1000: (
        *(10, 30, 40, 45, 50, 55, 60, 66, 73, 80, 88, 97, 107, 118, 130, 143, 157, 173, 190),
        *(209, 253, 306, 370, 448, 542, 656, 794),
    ),
    5000: (
        *(2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 18, 20, 22, 24, 26, 29, 32, 35, 38),
        *(46, 56, 68, 82, 100, 121, 146, 177, 214),
    ),
}
"""Chat messages a second, rung by rung, about 10 % apart where the bare app tops out and
20 % above it (a halfway rung ends each climb); the first rung is the light load of W2.
The top of the room of 1,000 is its senders' limit: 0.8 messages a second each, under the
room's rate limit, from 993 of its 1,000 members."""
PHASE_SECONDS = 3
WARM_MEMBERS = 50
"""Members who join first (and leave before the load), so W3 counts only per-socket growth."""
W5_SIZE = 200 if QUICK else 2000
"""W5's room. In a room of 1,000 one worker now delivers every message its members may post
(794 a second, 794,000 deliveries): there the senders' limit, not the worker, is what both
figures would measure."""
W5_LADDER: tuple[float, ...] = (
    (10, 20)
    if QUICK
    else (
        *(10, 20, 30, 36, 43, 52, 62, 75, 90, 108, 130, 156, 187, 224, 269, 323, 388, 466),
        *(559, 671, 805, 966, 1159, 1391, 1590),
    )
)
"""About 20 % apart (a halfway rung ends each climb), up to the senders' limit of 2,000."""
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
POLL_SECONDS = 1.0
"""The served app's MEETING_CACHE_POLL_SECONDS (its default)."""
BENCH_DATABASE = "meeting_bench"
NOT_MODIFIED = 304
IMPORT_BUDGET_S = 3
REIMPORT_BUDGET_S = 1

console = Console(highlight=False)


@dataclasses.dataclass
class Row:
    key: str
    figure: str
    value: float
    ceiling: float | None
    ratio: float | None
    budget: str
    passed: bool | None
    """None: a row shown for context, with no budget."""
    units: str
    details: dict[str, Any] = dataclasses.field(default_factory=dict)


def ratio_row(
    key: str,
    figure: str,
    value: float,
    ceiling: float,
    minimum: float,
    units: str,
    paired: float | None = None,
    **details: Any,
) -> Row:
    """With `paired` (runs taken side by side), the ratio is that, the median of each
    round's ratio (`side_by_side.paired_ratio`); otherwise value / ceiling."""
    ratio = paired if paired is not None else value / ceiling if ceiling else 0.0
    return Row(
        key, figure, value, ceiling, ratio, f"≥ {minimum}x", ratio >= minimum, units, details
    )


def context_row(row: Row) -> Row:
    """The row shown for context only: its figures, no budget to pass or fail."""
    return dataclasses.replace(row, budget="context", passed=None)


def at_most_row(
    key: str, figure: str, value: float, ceiling: float, maximum: float, units: str, **details: Any
) -> Row:
    ratio = value / ceiling if ceiling else float("inf")
    return Row(
        key, figure, value, ceiling, ratio, f"≤ {maximum}x", ratio <= maximum, units, details
    )


# --- processes -----------------------------------------------------------------------------


def answers(base: str) -> bool:
    try:
        httpx.get(f"{base}/api/meetings", timeout=2)
    except httpx.HTTPError:
        return False
    return True


@contextmanager
def server(
    command: list[str], env: dict[str, str], log: Path, workers: int = 1
) -> Iterator[tuple[str, int]]:
    """Start a server on a free loopback port; yield (base URL, pid) once all its `workers`
    listen (the first answers before the others have loaded the app); stop it."""
    port = free_port()
    full_env = {**os.environ, **env, "MEETING_BASE_URL": f"http://127.0.0.1:{port}"}
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", *command, str(port)],
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not (answers(base) and listening_sockets(port) >= workers):
            if process.poll() is not None:
                raise RuntimeError(f"{command} exited: {log.read_text(errors='replace')[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{command} did not start {workers} listening worker(s)")
            time.sleep(0.1)
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def meeting_server(env: dict[str, str], log: Path, workers: int = 1) -> Any:
    return server(["meeting", "serve", "--workers", str(workers), "--port"], env, log, workers)


def ceiling_server(bodies: Path, log: Path, workers: int = 1, relay: str | None = None) -> Any:
    """The bare app; with `relay` (a Redis URL) its room goes through Redis (W5's ceiling)."""
    relay_env = {ceiling.RELAY_ENV: relay} if relay else {}
    return server(
        ["bench.ceiling", "--workers", str(workers), "--port"],
        {"BENCH_BODIES_DIR": str(bodies), **relay_env},
        log,
        workers,
    )


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


# --- data ----------------------------------------------------------------------------------


def timed_cli(args: list[str], env: dict[str, str]) -> float:
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "meeting", *args],
        env={**os.environ, **env},
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    return time.monotonic() - started


def changed_program(path: Path, changes: int = CHANGES) -> None:
    """The generated program with `changes` sessions retitled and re-described (a re-import's
    diff); more changes keep the first ones and add to them."""
    document = generate_program(SESSIONS, seed=SEED)
    sessions = list(document.sessions)
    for index in random.Random(SEED).sample(range(len(sessions)), changes):
        old = sessions[index]
        sessions[index] = dataclasses.replace(
            old, title=f"{old.title} (updated)", description=f"{old.description} Updated."
        )
    path.write_text(render_program_yaml(dataclasses.replace(document, sessions=tuple(sessions))))


def seed_attendees(url: str) -> tuple[list[int], list[str]]:
    """30,000 attendees (one shared argon2 hash), agendas, feed tokens; bulk inserts only."""
    engine = create_db_engine(url)
    rng = random.Random(SEED)
    shared_hash = hash_password("correct horse battery")
    now = datetime.now(UTC)
    try:
        with engine.begin() as conn:
            session_ids = list(
                conn.scalars(select(Session.id).where(Session.status != SessionStatus.CANCELLED))
            )
            conn.execute(
                insert(User),
                [
                    {
                        "email": f"attendee{i}@bench.test",
                        "name": f"Attendee {i}",
                        "password_hash": shared_hash,
                        "career_stage": "faculty",
                        "is_member": True,
                        "timezone": "",
                        "interests": [],
                        "role": "attendee",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(ATTENDEES)
                ],
            )
            user_ids = list(
                conn.scalars(
                    select(User.id).where(User.email.like("%@bench.test")).order_by(User.id)
                )
            )
            entries = [
                (user_id, session_id, "confirmed", now, 0)
                for user_id in user_ids
                for session_id in rng.sample(session_ids, rng.randint(*AGENDA_SIZES))
            ]
            _insert_agenda(engine, conn, entries)
            nonces = [f"{i:064x}" for i in range(len(user_ids))]
            tokens = [derive_token(SECRET, nonce) for nonce in nonces]
            conn.execute(
                insert(FeedToken),
                [
                    {
                        "user_id": user_id,
                        "token_hash": hash_token(token),
                        "nonce": nonce,
                        "created_at": now,
                        "feed_etag": "",
                        "feed_changed_at": None,
                    }
                    for user_id, nonce, token in zip(user_ids, nonces, tokens, strict=True)
                ],
            )
    finally:
        engine.dispose()
    return user_ids, tokens


def _insert_agenda(engine: Engine, conn: Any, entries: list[tuple[Any, ...]]) -> None:
    columns = ("user_id", "session_id", "state", "added_at", "added_version")
    if engine.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY agenda_entry ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for entry in entries:
                copy.write_row(entry)
        return
    conn.execute(insert(AgendaEntry), [dict(zip(columns, e, strict=True)) for e in entries])


def session_cookie(user_id: int) -> str:
    """The cookie the login form sets (Starlette's signed session), minted with the key."""
    data = base64.b64encode(json.dumps({"uid": user_id}).encode())
    signed = itsdangerous.TimestampSigner(SECRET).sign(data).decode()
    return f"meeting_session={signed}"


def room_and_clock() -> tuple[str, datetime, date]:
    """An open-to-everyone session (its room), a clock inside it, the meeting's second day."""
    document = generate_program(SESSIONS, seed=SEED)
    session = min(
        (
            s
            for s in document.sessions
            if s.audience == Audience.EVERYONE
            and s.status == SessionStatus.SCHEDULED
            and s.parent is None
        ),
        key=lambda s: s.start,
    )
    return (
        session.code,
        session.start + timedelta(minutes=5),
        document.meeting.start_date + timedelta(days=1),
    )


# --- HTTP ----------------------------------------------------------------------------------


def taking_turns(probes: dict[str, Probe]) -> dict[str, dict[str, Any]]:
    """Each probe's figure, the probes taking turns run by run (`RUNS` runs each)."""
    return side_by_side(probes, runs=RUNS, seconds=RUN_SECONDS, warm_seconds=WARM_SECONDS)


def after_a_change(base: str, tokens: list[str], tmp: Path, change: Callable[[], None]) -> None:
    """Render 1,000 other attendees' feeds (every session's events get built), then change
    the schedule in another process and wait for the server to see it: every feed is stale."""
    warm = tmp / "warm-feeds.txt"
    warm.write_text("".join(f"/feeds/{t}.ics\n" for t in tokens[-1000:]))
    load.run_wrk(base + "/", seconds=3 * WARM_SECONDS, paths_file=warm, script_dir=tmp)
    version = httpx.get(f"{base}/api/meetings", timeout=60).json()["meetings"][0]
    change()
    deadline = time.monotonic() + 30
    while httpx.get(f"{base}/api/meetings", timeout=60).json()["meetings"][0] == version:
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not see the schedule change")
        time.sleep(0.2)
    time.sleep(2 * POLL_SECONDS)  # the server's watcher has followed it by now


def cold_feeds(base: str, tokens: list[str], tmp: Path) -> Probe:
    """Each request a feed never rendered before, right after a change; disjoint sets."""

    def paths(run: int) -> Path:
        chosen = tokens[1000 + run * COLD_TOKENS_PER_RUN : 1000 + (run + 1) * COLD_TOKENS_PER_RUN]
        listed = tmp / f"cold-{run}.txt"
        listed.write_text("".join(f"/feeds/{t}.ics\n" for t in chosen))
        return listed

    return Probe(base + "/", paths=paths, script_dir=tmp, warm=False)


def save_bodies(base: str, token: str, day: date, folder: Path) -> dict[str, str]:
    paths = {
        "feed": f"/feeds/{token}.ics",
        "program_ics": "/program.ics",
        "schedule_xml": "/schedule.xml",
        "schedule_json": "/schedule.json",
        "program_page": f"/program?day={day.isoformat()}&tz={FAR_ZONE}",
        "api_sessions": "/api/sessions",
    }
    folder.mkdir(parents=True, exist_ok=True)
    with httpx.Client(base_url=base, timeout=60) as client:
        for name, path in paths.items():
            response = client.get(path)
            response.raise_for_status()
            (folder / f"{name}.body").write_bytes(response.content)
    return paths


def http_figures(
    base: str,
    bare: str,
    tokens: list[str],
    tmp: Path,
    label: str,
    day: date,
    change: Callable[[], None],
) -> list[Row]:
    """H1-H5, each against its ceiling on the bare server, taking turns run by run."""
    token = tokens[0]
    feed = f"{base}/feeds/{token}.ics"
    etag = httpx.get(feed, timeout=60).headers["etag"]
    if httpx.get(feed, headers={"If-None-Match": etag}, timeout=60).status_code != NOT_MODIFIED:
        raise RuntimeError("the feed does not answer a matching If-None-Match with 304")
    rows: list[Row] = []

    def row(key: str, figure: str, project: Probe, ceiling: Probe, minimum: float) -> None:
        taken = taking_turns({"project": project, "bare": ceiling})
        mine, its = taken["project"], taken["bare"]
        rows.append(
            ratio_row(
                f"{key}{label}",
                figure,
                mine["median"],
                its["median"],
                minimum,
                "req/s",
                paired_ratio(mine["runs"], its["runs"]),
                **mine,
                ceiling_runs=its["runs"],
            )
        )

    bare_feed = Probe(f"{bare}/body/feed")
    row(
        "H1",
        "feed conditional GET → 304",
        Probe(feed, headers=(f"If-None-Match: {etag}",)),
        Probe(f"{bare}/304", headers=(f"If-None-Match: {ceiling.ETAG}",)),
        0.7,
    )
    row("H2", "feed 200, unchanged since last render", Probe(feed), bare_feed, 0.5)
    after_a_change(base, tokens, tmp, change)
    row("H3", "feed 200, first render (cold)", cold_feeds(base, tokens, tmp), bare_feed, 0.1)
    rows[-1].details["all_cold"] = max(rows[-1].details["requests"]) <= COLD_TOKENS_PER_RUN
    for name, path in (
        ("program_ics", "/program.ics"),
        ("schedule_xml", "/schedule.xml"),
        ("schedule_json", "/schedule.json"),
    ):
        row("H4", path, Probe(base + path), Probe(f"{bare}/body/{name}"), 0.5)
    row(
        "H5",
        f"/program?day=…&tz={FAR_ZONE}",
        Probe(f"{base}/program?day={day.isoformat()}&tz={FAR_ZONE}"),
        Probe(f"{bare}/page"),
        0.5,
    )
    row(
        "H5",
        "/api/sessions",
        Probe(f"{base}/api/sessions"),
        Probe(f"{bare}/body/api_sessions"),
        0.5,
    )
    return rows


# --- WebSocket -----------------------------------------------------------------------------


def room_url(base: str, code: str) -> str:
    return base.replace("http", "ws") + f"/ws/rooms/{code}"


def bare_room_url(base: str) -> str:
    return base.replace("http", "ws") + "/ws"


@dataclasses.dataclass(frozen=True)
class Joined:
    crowd: ws_load.Crowd
    open_s: float
    kib_per_socket: float


def join_crowd(
    url: str, origin: str, cookies: list[str], server_pid: int, warm_cookies: list[str]
) -> Joined:
    """Join `cookies` members from 2 client processes (W4: how long until all are in).

    Memory per socket (W3) is the server's growth while they join, measured with a first
    small crowd already in (so one-time costs, like the first room load, are not counted);
    that crowd leaves again before any load.
    """
    warm = ws_load.Crowd(url, origin, warm_cookies, processes=1)
    try:
        warm.open()
        time.sleep(1)
        before = rss_kib(server_pid)
        crowd = ws_load.Crowd(url, origin, cookies, processes=2)
        try:
            opened = crowd.open()
            time.sleep(1)
            after = rss_kib(server_pid)
        except BaseException:
            crowd.close()
            raise
    finally:
        warm.close()
    return Joined(crowd, opened, (after - before) / len(cookies))


def climber(
    joined: Joined, server_pid: int, rates: tuple[float, ...], *, light_first: bool = True
) -> ws_load.Climber:
    return ws_load.Climber(
        joined.crowd,
        server_pid,
        rates,
        PHASE_SECONDS,
        runs_per_rung=1 if QUICK else ws_load.RUNS_PER_RUNG,
        light_first=light_first,
    )


def w5_figures(
    env: dict[str, str], bodies: Path, tmp: Path, code: str, user_ids: list[int], label: str
) -> list[Row]:
    """W5: one room of `W5_SIZE` split across 2 workers sharing a Redis broker, against one
    worker in-process; and beside them the bare app the same two ways (its room relayed
    through Redis), to show what speed-up this machine allows at all. The four climb taking
    turns run by run, so every figure comes from the same moments of a shared machine. Each
    project server has its own copy of the database, so neither hears the other's chat."""
    redis_url = os.environ.get("MEETING_BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    size = W5_SIZE
    cookies = [session_cookie(u) for u in user_ids[:size]]
    warm = [session_cookie(u) for u in user_ids[-WARM_MEMBERS:]]
    climbs: dict[str, ws_load.Climber] = {}
    joined: list[Joined] = []
    with (
        database_copy(env["MEETING_DATABASE_URL"], tmp) as copy,
        meeting_server(env, tmp / "serve-w5-one.log") as (one_base, one_pid),
        meeting_server(
            {**env, "MEETING_DATABASE_URL": copy, "MEETING_BROKER_URL": redis_url},
            tmp / "serve-w5-redis.log",
            workers=2,
        ) as (base, pid),
        ceiling_server(bodies, tmp / "ceiling-w5-one.log") as (bare_one_base, bare_one_pid),
        ceiling_server(bodies, tmp / "ceiling-w5-redis.log", 2, redis_url) as (bare_base, bare_pid),
    ):
        try:
            bare, bare_warm = [""] * size, [""] * WARM_MEMBERS
            crowds = {
                "one": (room_url(one_base, code), one_base, cookies, one_pid, warm),
                "redis": (room_url(base, code), base, cookies, pid, warm),
                "bare_one": (
                    bare_room_url(bare_one_base),
                    bare_one_base,
                    bare,
                    bare_one_pid,
                    bare_warm,
                ),
                "bare_redis": (bare_room_url(bare_base), bare_base, bare, bare_pid, bare_warm),
            }
            for name, (url, origin, members, server_pid, warm_members) in crowds.items():
                joined.append(join_crowd(url, origin, members, server_pid, warm_members))
                climbs[name] = climber(joined[-1], server_pid, W5_LADDER, light_first=False)
            ws_load.climb(list(climbs.values()))
        finally:
            for crowd in joined:
                crowd.crowd.close()
    best = {name: climb.best for name, climb in climbs.items()}
    console.print(
        f"  ws redis x2 {size}: best {best['redis']:,.0f}/s; 1 worker beside it "
        f"{best['one']:,.0f}/s; bare {best['bare_redis']:,.0f}/s and {best['bare_one']:,.0f}/s"
    )

    def speedup(key: str, figure: str, two: str, one: str) -> Row:
        return ratio_row(
            key,
            figure,
            best[two],
            best[one],
            1.5,
            "deliv/s",
            ladder=climbs[two].runs,
            one_worker_ladder=climbs[one].runs,
        )

    return [
        speedup(
            f"W5{label}",
            f"Redis broker, 2 workers, one room of {size}: deliveries/s vs 1 worker in-process",
            "redis",
            "one",
        ),
        context_row(
            speedup(
                f"W5{label} bare",
                "the same for the bare app (its room relayed through Redis): "
                "what this machine allows",
                "bare_redis",
                "bare_one",
            )
        ),
    ]


@contextmanager
def database_copy(url: str, tmp: Path) -> Iterator[str]:
    """A consistent copy of the bench database, as a URL: a file made with SQLite's backup
    API, or a PostgreSQL database made from it as a template (dropped afterwards)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        target = tmp / "copy.sqlite3"
        with sqlite3.connect(str(parsed.database)) as original, sqlite3.connect(target) as copy:
            original.backup(copy)
        yield f"sqlite:///{target}"
        return
    name = f"{parsed.database}_copy"
    with postgres_database(url, name, template=str(parsed.database)) as copy_url:
        yield copy_url


def ws_figures(
    project: tuple[str, int], bare: tuple[str, int], code: str, user_ids: list[int], size: int
) -> list[Row]:
    """Both crowds join (bare first), then both climb the ladder together, run by run."""
    base, pid = project
    bare_base, bare_pid = bare
    warm_members = [session_cookie(u) for u in user_ids[-WARM_MEMBERS:]]
    cookies = [session_cookie(u) for u in user_ids[:size]]
    joined: dict[str, Joined] = {}
    try:
        joined["bare"] = join_crowd(
            bare_room_url(bare_base),
            bare_base,
            [""] * size,
            bare_pid,
            [""] * WARM_MEMBERS,
        )
        joined["project"] = join_crowd(room_url(base, code), base, cookies, pid, warm_members)
        climbs = {
            "bare": climber(joined["bare"], bare_pid, LADDER[size]),
            "project": climber(joined["project"], pid, LADDER[size]),
        }
        ws_load.climb([climbs["bare"], climbs["project"]])
    finally:
        for one in joined.values():
            one.crowd.close()
    for name, climb in climbs.items():
        console.print(
            f"  ws {name} {size}: open {joined[name].open_s:.2f} s, best {climb.best:,.0f}/s"
        )
    bare_c, proj_c = climbs["bare"], climbs["project"]
    light = LADDER[size][0]
    rows = [
        ratio_row(
            f"W1 {size}",
            f"room {size} members: max deliveries/s (0 loss, p99 ≤ 500 ms)",
            proj_c.best,
            bare_c.best,
            0.6,
            "deliv/s",
            ladder=proj_c.runs,
            bare_ladder=bare_c.runs,
        ),
        at_most_row(
            f"W2 {size}",
            f"room {size} members at {light:g} msg/s: p99",
            statistics.median(r.p99_ms for r in proj_c.first),
            statistics.median(r.p99_ms for r in bare_c.first),
            2,
            "ms",
            light=[ws_load.summary(r) for r in proj_c.first],
            bare_light=[ws_load.summary(r) for r in bare_c.first],
        ),
        at_most_row(
            f"W4 {size}",
            f"join storm: {size} authenticated joins + snapshot",
            joined["project"].open_s,
            joined["bare"].open_s,
            4,
            "s",
        ),
    ]
    if size == WS_SIZES[0]:
        rows.append(
            at_most_row(
                "W3",
                f"idle joined socket memory ({size} sockets)",
                joined["project"].kib_per_socket,
                joined["bare"].kib_per_socket,
                1.5,
                "KiB/socket",
            )
        )
    return rows


# --- the run -------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "uvicorn": version("uvicorn"),
        "starlette": version("starlette"),
        "wrk": subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
        .stdout.split("[")[0]
        .strip(),
    }


@contextmanager
def postgres_database(
    server_url: str, name: str = BENCH_DATABASE, template: str | None = None
) -> Iterator[str]:
    """A fresh database `name` on the server of `server_url` (a copy of `template` when
    given), as a URL; dropped afterwards."""
    server = make_url(server_url).set(drivername="postgresql+psycopg")
    admin = server.set(database="postgres").render_as_string(hide_password=False)
    engine = create_db_engine(admin, isolation_level="AUTOCOMMIT")
    copy_of = f" TEMPLATE {template}" if template else ""
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}{copy_of}"))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        engine.dispose()


def step(message: str) -> Callable[[], None]:
    started = time.monotonic()
    console.print(f"[bold]…[/bold] {message}")

    def done() -> None:
        console.print(f"    done in {time.monotonic() - started:.1f} s")

    return done


def bench_database(
    kind: str,
    url: str,
    tmp: Path,
    program: Path,
    changed: Path,
    *,
    with_ws: bool,
    with_w5: bool,
) -> list[Row]:
    """The figures on one database: imports, HTTP, then (`with_ws`) W1-W4 and (`with_w5`)
    W5, and on SQLite H6."""
    label = "" if kind == "sqlite" else " pg"
    env = {
        "MEETING_DATABASE_URL": url,
        "MEETING_SECRET_KEY": SECRET,
        "MEETING_VAR_DIR": str(tmp / kind),
    }
    rows: list[Row] = []
    done = step(f"{kind}: meeting import (1,000 sessions), then re-import with {CHANGES} changes")
    first = timed_cli(["import", str(program)], env)
    second = timed_cli(["import", str(changed)], env)
    rows.append(
        Row(
            f"I1{label}",
            "meeting import, 1,000 sessions (CLI wall time)",
            first,
            None,
            None,
            f"< {IMPORT_BUDGET_S} s",
            first < IMPORT_BUDGET_S,
            "s",
        )
    )
    rows.append(
        Row(
            f"I1{label}",
            f"re-import with {CHANGES} changes (CLI wall time)",
            second,
            None,
            None,
            f"< {REIMPORT_BUDGET_S} s",
            second < REIMPORT_BUDGET_S,
            "s",
        )
    )
    done()
    done = step(f"{kind}: {ATTENDEES:,} attendees, agendas of 20-30 sessions, feed tokens")
    user_ids, tokens = seed_attendees(url)
    done()
    code, clock, day = room_and_clock()
    env["MEETING_CLOCK_START"] = clock.isoformat()
    bodies = tmp / "bodies"
    with meeting_server(env, tmp / f"serve-{kind}.log") as project:
        if not bodies.exists():  # the bare server serves the first database's bodies
            save_bodies(project[0], tokens[0], day, bodies)
            sizes = {p.stem: p.stat().st_size for p in bodies.glob("*.body")}
            console.print(f"    body sizes: {sizes}")
        with ceiling_server(bodies, tmp / "ceiling.log") as bare:
            done = step(f"{kind}: HTTP figures (1 worker), project and bare taking turns")

            def change() -> None:
                timed_cli(["import", str(tmp / "changed-again.yaml")], env)

            rows += http_figures(project[0], bare[0], tokens, tmp, label, day, change)
            done()
    if with_ws:
        for size in WS_SIZES:
            done = step(f"{kind}: live room with {size} members (fresh project and bare servers)")
            with (
                meeting_server(env, tmp / f"serve-ws-{size}.log") as project,
                ceiling_server(bodies, tmp / f"ceiling-ws-{size}.log") as bare,
            ):
                rows += ws_figures(project, bare, code, user_ids, size)
            done()
    if with_w5:
        done = step(f"{kind}: W5, Redis broker and 2 workers, beside 1 worker in-process")
        rows += w5_figures(env, bodies, tmp, code, user_ids, label)
        done()
    if kind == "sqlite":
        done = step("H6: /api/sessions on 1 and 2 workers, project and bare taking turns")
        rows.append(h6_figure(env, bodies, tmp))
        done()
    return rows


def h6_figure(env: dict[str, str], bodies: Path, tmp: Path) -> Row:
    """H6: the speed-up from a second worker, project against bare; all four servers take
    turns run by run, so both speed-ups come from the same moments."""
    with (
        meeting_server(env, tmp / "serve-h6-1.log") as (project_1, _),
        ceiling_server(bodies, tmp / "ceiling-h6-1.log") as (bare_1, _),
        meeting_server(env, tmp / "serve-h6-2.log", workers=2) as (project_2, _),
        ceiling_server(bodies, tmp / "ceiling-h6-2.log", workers=2) as (bare_2, _),
    ):
        taken = taking_turns(
            {
                "project_1": Probe(f"{project_1}/api/sessions"),
                "bare_1": Probe(f"{bare_1}/body/api_sessions"),
                "project_2": Probe(f"{project_2}/api/sessions"),
                "bare_2": Probe(f"{bare_2}/body/api_sessions"),
            }
        )

    def speedups(name: str) -> list[float]:
        runs = zip(taken[f"{name}_2"]["runs"], taken[f"{name}_1"]["runs"], strict=True)
        return [two / one for two, one in runs]

    project, bare = speedups("project"), speedups("bare")
    return ratio_row(
        "H6",
        "2 workers vs 1: speed-up on /api/sessions",
        statistics.median(project),
        statistics.median(bare),
        0.8,
        "x",
        paired_ratio(project, bare),
        **taken,
    )


def print_table(rows: list[Row], meta: dict[str, Any]) -> None:
    table = Table(
        title=f"meeting bench — {meta['date']} — "
        f"{meta['machine']['cpu']} x {meta['machine']['cores']}"
    )
    for column in ("id", "figure", "project", "ceiling", "ratio", "budget", "pass"):
        table.add_column(
            column, justify="right" if column in {"project", "ceiling", "ratio"} else "left"
        )
    for row in rows:
        table.add_row(
            row.key,
            row.figure,
            f"{row.value:,.2f} {row.units}",
            "—" if row.ceiling is None else f"{row.ceiling:,.2f}",
            "—" if row.ratio is None else f"{row.ratio:.2f}",
            row.budget,
            {True: "[green]pass[/green]", False: "[red]FAIL[/red]", None: "—"}[row.passed],
        )
    console.print(table)


def main() -> None:
    if not load.wrk_available():
        sys.exit("make bench needs wrk: apt-get install wrk")
    started = time.monotonic()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="meeting-bench-") as folder:
        tmp = Path(folder)
        program, changed = tmp / "program.yaml", tmp / "changed.yaml"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "meeting",
                "generate",
                "--sessions",
                str(SESSIONS),
                "--attendees",
                str(ATTENDEES),
                "--seed",
                str(SEED),
                "-o",
                str(program),
            ],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        changed_program(changed)
        changed_program(tmp / "changed-again.yaml", CHANGES + 1)
        postgres_server = os.environ.get("MEETING_BENCH_POSTGRES_URL")
        # W5 runs where several workers are meant to run: on PostgreSQL (SQLite serialises
        # their writers through a file lock), or on SQLite when no PostgreSQL is given.
        rows += bench_database(
            "sqlite",
            f"sqlite:///{tmp / 'bench.sqlite3'}",
            tmp,
            program,
            changed,
            with_ws=True,
            with_w5=not postgres_server,
        )
        if postgres_server:
            with postgres_database(postgres_server) as url:
                rows += bench_database(
                    "postgresql", url, tmp, program, changed, with_ws=False, with_w5=True
                )
    meta = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "wall_s": round(time.monotonic() - started, 1),
        "settings": {
            "runs": RUNS,
            "run_seconds": RUN_SECONDS,
            "wrk_threads": load.THREADS,
            "wrk_connections": load.CONNECTIONS,
            "ws_client_processes": 2,
            "ws_phase_seconds": PHASE_SECONDS,
            "ws_runs_per_rung": 1 if QUICK else ws_load.RUNS_PER_RUNG,
            "ws_clear_p99_ms": ws_load.CLEAR_P99_MS,
            "ladder": LADDER,
            "w5_ladder": W5_LADDER,
        },
    }
    print_table(rows, meta)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {**meta, "figures": [dataclasses.asdict(r) for r in rows]}, indent=2, default=str
        )
        + "\n"
    )
    console.print(f"Saved {RESULTS.relative_to(ROOT)}; wall time {meta['wall_s']} s.")
    if any(r.passed is False for r in rows):
        console.print("[red]Some budgets fail (see the table).[/red]")


if __name__ == "__main__":
    main()
