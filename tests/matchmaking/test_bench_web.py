import importlib
import json
import re
import socket
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import clear_url_caches
from pytest_django.asserts import assertContains

import matchmaking.urls
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["web", "--requests", "0"], "must be 1 or more, not 0"),
        (["web", "--concurrency", "many"], "'many' is not a whole number"),
        (["web", "--port", "0"], "--port: must be 1 or more, not 0"),
    ],
)
def test_bad_arguments_are_a_command_error(arguments, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("bench", *arguments)


def reload_urls():
    importlib.reload(matchmaking.urls)
    clear_url_caches()


def test_the_baseline_pages_exist_only_for_the_benchmark(client):
    resident = UserFactory()
    assert client.get("/bench/bare/").status_code == 404
    try:
        with override_settings(BENCH_VIEWS=True):
            reload_urls()
            response = client.get("/bench/bare/")
            assert response.status_code == 200 and b"Bare template" in response.content
            assert client.get("/bench/signed-in/").status_code == 302  # to sign in
            client.force_login(resident)
            assertContains(client.get("/bench/signed-in/"), "Your requests")  # the layout
    finally:
        reload_urls()
    assert client.get("/bench/bare/").status_code == 404
    assert client.get("/bench/signed-in/").status_code == 404


class FakeServer:
    """Stands in for gunicorn: the test checks what bench web asks of it, not its speed."""

    started: list = []

    def __init__(self, args, env, cwd):
        FakeServer.started.append((args, env))

    def poll(self):
        return None

    def terminate(self):
        pass

    def wait(self, timeout):
        return 0


def fake_bench_web(monkeypatch, tmp_path):
    """bench web with gunicorn, collectstatic, the demo and the load replaced by fakes."""
    from matchmaking.bench import web

    monkeypatch.setattr(web.tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(web, "call_command", lambda *args, **kwargs: None)
    monkeypatch.setattr(web, "_session_key", lambda email: "x")
    monkeypatch.setattr(
        web, "in_process_medians", lambda keys, count, write: dict.fromkeys(keys, 1.0)
    )

    def collectstatic(args, env, check):
        # What collectstatic leaves behind: some 33 MB in a real run.
        (Path(env["STATIC_ROOT"]) / "app.css").write_text("body {}")
        (Path(env["MEDIA_ROOT"]) / "photo.jpg").write_bytes(b"\xff\xd8")

    monkeypatch.setattr(web.subprocess, "run", collectstatic)
    FakeServer.started = []
    monkeypatch.setattr(web.subprocess, "Popen", FakeServer)
    monkeypatch.setattr(web, "_get", lambda port, path, cookie: (200, 0.001))
    monkeypatch.setattr(web, "_load", lambda *args: (100.0, [0.01] * 10))
    return FakeServer.started


def test_bench_web_leaves_no_temporary_files(monkeypatch, tmp_path):
    fake_bench_web(monkeypatch, tmp_path)
    out = StringIO()
    call_command("bench", "web", "--requests", "5", fresh_database=False, stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1])["rps_bare"] == 100.0
    assert list(tmp_path.iterdir()) == []


def test_bench_web_compares_the_worst_page_with_the_signed_in_empty_one(monkeypatch, tmp_path):
    from matchmaking.bench import web

    fake_bench_web(monkeypatch, tmp_path)
    rates = {"/bench/bare/": 1000.0, "/bench/signed-in/": 400.0}
    rates |= {"/requests/": 300.0, "/help-requests/": 200.0}
    monkeypatch.setattr(web, "_load", lambda port, path, *args: (rates[path], [0.01] * 10))
    out = StringIO()
    call_command("bench", "web", fresh_database=False, stdout=out)
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    assert figures["ratio_min"] == 0.2  # the worst real page against the bare one
    assert figures["ratio_signed_in"] == 0.5  # ... and against the signed-in empty one
    assert set(figures["in_process_median_ms"]) == {
        "bare",
        "signed_in_empty",
        "requests_page",
        "offers_page",
    }


def test_in_process_medians_time_each_page_and_refuse_an_error(client):
    from matchmaking.bench import web

    resident = UserFactory()
    client.force_login(resident)
    keys = {"bare": None, "requests_page": client.session.session_key}
    medians = web.in_process_medians(keys, 3)
    assert set(medians) == {"bare", "requests_page"} and all(ms > 0 for ms in medians.values())
    # A page that does not answer 200 (signed out: a redirect) is not timed.
    with pytest.raises(RuntimeError, match="/requests/ answered 302 in process"):
        web.in_process_medians({"requests_page": "no-such-session"}, 3)


def test_bench_web_cleans_up_when_the_run_fails(monkeypatch, tmp_path):
    from matchmaking.bench import web

    fake_bench_web(monkeypatch, tmp_path)

    def load_fails(*args):
        raise RuntimeError("/requests/ answered [500], not only 200")

    monkeypatch.setattr(web, "_load", load_fails)
    with pytest.raises(RuntimeError):
        call_command("bench", "web", fresh_database=False, stdout=StringIO())
    assert list(tmp_path.iterdir()) == []


def test_bench_web_serves_on_the_chosen_port(monkeypatch, tmp_path):
    started = fake_bench_web(monkeypatch, tmp_path)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    call_command("bench", "web", "--port", str(port), fresh_database=False, stdout=StringIO())
    ((args, _env),) = started
    assert args[args.index("--bind") + 1] == f"127.0.0.1:{port}"


def test_bench_web_refuses_a_port_in_use(monkeypatch, tmp_path):
    started = fake_bench_web(monkeypatch, tmp_path)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(CommandError, match=f"Port {port} on 127.0.0.1 is in use"):
            call_command("bench", "web", "--port", str(port), fresh_database=False)
    assert started == []
    assert list(tmp_path.iterdir()) == []
