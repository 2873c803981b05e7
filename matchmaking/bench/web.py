"""`bench web`: requests per second through gunicorn for real pages against a bare one.

A fresh database gets the demo borough; gunicorn serves it on 127.0.0.1 with
production-like settings (DEBUG off, hashed static files through whitenoise); a
resident's "Your requests", a provider's help-request inbox, an empty page in the
layout for a signed-in resident and a view that renders a bare template are each loaded with
a bounded number of requests at a fixed concurrency. Each page is then also requested one at
a time in this process (no server, no network), whose median is the page's own cost.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import override_settings

from matchmaking.bench.database import fresh_database as fresh_database_context
from matchmaking.bench.options import positive_int

HELP = "Requests per second through gunicorn, and median milliseconds in process, per page."
PAGES = {
    "bare": "/bench/bare/",
    "signed_in_empty": "/bench/signed-in/",
    "requests_page": "/requests/",
    "offers_page": "/help-requests/",
}
START_TIMEOUT_SECONDS = 30
# The real pages, whose worst is compared with the bare page and with the signed-in empty one.
REAL_PAGES = ("requests_page", "offers_page")


def add_arguments(parser) -> None:
    parser.add_argument("--requests", type=positive_int, default=400, help="per page")
    parser.add_argument("--concurrency", type=positive_int, default=8)
    parser.add_argument("--workers", type=positive_int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--in-process-requests",
        type=positive_int,
        default=300,
        help="Requests per page made one at a time in this process (the median is reported).",
    )
    parser.add_argument(
        "--port",
        type=positive_int,
        default=None,
        help="Port gunicorn listens on, on 127.0.0.1 (default: any free port).",
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def _session_key(email: str) -> str:
    from accounts.models import User

    user = User.objects.get(email=email)
    # The configured engine: with cached_db the row is written too, so gunicorn finds it.
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def _get(port: int, path: str, cookie: str | None) -> tuple[int, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        conn.close()


def _load(port, path, cookie, count, concurrency):
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(lambda _: _get(port, path, cookie), range(min(20, count))))  # warm up
        started = time.perf_counter()
        results = list(pool.map(lambda _: _get(port, path, cookie), range(count)))
        wall = time.perf_counter() - started
    statuses = {status for status, _ in results}
    if statuses != {200}:
        raise RuntimeError(f"{path} answered {sorted(statuses)}, not only 200")
    latencies = sorted(seconds for _, seconds in results)
    return count / wall, latencies


def _counting_into(queries: list):
    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    return count


def in_process_medians(session_keys: dict, count: int, *, write=None) -> dict:
    """Each page requested `count` times one after another through Django's handler here.

    `session_keys` maps a page's name (in PAGES) to the session it is loaded with, or None.
    Returns the median milliseconds per page; raises if a page answers anything but 200.
    """
    medians = {}
    # The baseline pages through their own URLconf; plain http, as gunicorn is served here.
    with override_settings(
        ROOT_URLCONF="matchmaking.bench.urls",
        ALLOWED_HOSTS=["testserver"],
        DEBUG=False,
        SECURE_SSL_REDIRECT=False,
    ):
        for name, key in session_keys.items():
            client = Client()
            if key is not None:
                client.cookies[settings.SESSION_COOKIE_NAME] = key
            path = PAGES[name]
            status = client.get(path).status_code  # also renews the session, once
            if status != 200:
                raise RuntimeError(f"{path} answered {status} in process, not 200")
            queries = []
            with connection.execute_wrapper(_counting_into(queries)):
                client.get(path)
            timings, cpu = [], []
            for _ in range(count):
                started, started_cpu = time.perf_counter(), time.process_time()
                client.get(path)
                timings.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
            medians[name] = round(statistics.median(timings) * 1000, 2)
            if write is not None:
                # CPU time as well: on a shared machine it moves less than the wall clock.
                write(
                    f"{path} in process: median {medians[name]:.2f} ms "
                    f"(CPU {statistics.median(cpu) * 1000:.2f} ms), {len(queries)} queries"
                )
    return medians


def run(options: dict, *, write, fresh_database: bool = True) -> dict:
    # Both go when the run ends, however it ends: collectstatic alone writes some 33 MB.
    with (
        tempfile.TemporaryDirectory(prefix="kith-bench-media-") as media,
        tempfile.TemporaryDirectory(prefix="kith-bench-static-") as static,
    ):
        return _run(options, write=write, fresh_database=fresh_database, media=media, static=static)


def _run(options: dict, *, write, fresh_database: bool, media: str, static: str) -> dict:
    database = fresh_database_context() if fresh_database else nullcontext()
    with database, override_settings(MEDIA_ROOT=media):
        call_command("demo", stdout=io.StringIO())
        resident = _session_key("resident@demo.kith.example")
        session_keys = {
            "bare": None,
            "signed_in_empty": resident,
            "requests_page": resident,
            "offers_page": _session_key("cook@demo.kith.example"),
        }
        # gunicorn runs with HTTPS=false, so its session cookie has the plain name.
        cookies = {name: key and f"sessionid={key}" for name, key in session_keys.items()}
        port = options.get("port") or _free_port()
        if not _is_free(port):
            # Otherwise the readiness probe could take whatever listens there for gunicorn.
            raise CommandError(f"Port {port} on 127.0.0.1 is in use: choose another --port.")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "matchmaking.settings",
            "DEBUG": "false",
            "HTTPS": "false",  # loopback: no TLS proxy in front
            # The sessions made here are signed with this process's key.
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": _database_url(),
            "STATIC_ROOT": static,
            "MEDIA_ROOT": media,
            "KITH_BENCH_VIEWS": "true",
        }
        manage = str(Path(settings.BASE_DIR) / "manage.py")
        subprocess.run(
            [sys.executable, manage, "collectstatic", "--no-input", "-v0"], env=env, check=True
        )
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "matchmaking.wsgi",
                "--workers",
                str(options["workers"]),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=settings.BASE_DIR,
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT_SECONDS
            while True:
                try:
                    if _get(port, PAGES["bare"], None)[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start")
                time.sleep(0.2)
            figures, tails = {}, []
            for name, path in PAGES.items():
                rps, latencies = _load(
                    port, path, cookies[name], options["requests"], options["concurrency"]
                )
                figures[name] = rps
                p95 = latencies[int(0.95 * (len(latencies) - 1))] * 1000
                write(
                    f"{path}: {rps:.0f} requests/s, median "
                    f"{statistics.median(latencies) * 1000:.1f} ms, p95 {p95:.1f} ms"
                )
                if name in REAL_PAGES:
                    tails.extend(latencies)
        finally:
            server.terminate()
            server.wait(timeout=10)
        # With the files collectstatic wrote: DEBUG off, the pages link hashed names.
        with override_settings(STATIC_ROOT=static):
            medians = in_process_medians(session_keys, options["in_process_requests"], write=write)
    tails.sort()
    worst = min(figures[name] for name in REAL_PAGES)
    result = {
        "rps_bare": round(figures["bare"], 1),
        "rps_requests_page": round(figures["requests_page"], 1),
        "rps_offers_page": round(figures["offers_page"], 1),
        "ratio_min": round(worst / figures["bare"], 3),
        "p95_ms": round(tails[int(0.95 * (len(tails) - 1))] * 1000, 1),
        # The ceiling any signed-in page could reach against the bare one.
        "rps_signed_in_empty": round(figures["signed_in_empty"], 1),
        # What a page's own content costs on top of being signed in (1.0: nothing).
        "ratio_signed_in": round(worst / figures["signed_in_empty"], 3),
        "in_process_median_ms": medians,
    }
    write(json.dumps(result))
    return result
