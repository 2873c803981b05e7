"""`manage.py bench`: its arguments, its figures, and the throwaway database it runs in."""

import json
import os
import re
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from matchmaking.bench import database
from matchmaking.bench.scoring import percentile

ROOT = Path(__file__).resolve().parents[2]
FIGURES = {
    "providers",
    "needs",
    "index_build_ms",
    "median_ms",
    "p95_ms",
    "query_median_ms",
    "query_p95_ms",
    "naive_needs",
    "same_needs_median_ms",
    "naive_median_ms",
    "speedup",
}


def last_json_line(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


@pytest.mark.django_db
def test_bench_scoring_prints_its_figures_as_the_last_line():
    out = StringIO()
    # fresh_database=False: inside pytest the city goes into the test database.
    call_command(
        "bench",
        "scoring",
        "--providers",
        "60",
        "--needs",
        "5",
        "--naive-needs",
        "2",
        fresh_database=False,
        stdout=out,
    )
    output = out.getvalue()
    figures = last_json_line(output)
    assert set(figures) == FIGURES
    assert (figures["providers"], figures["needs"]) == (60, 5)
    assert figures["speedup"] > 0
    assert 0 < figures["median_ms"] <= figures["p95_ms"]
    assert 0 < figures["query_median_ms"] <= figures["query_p95_ms"]
    assert figures["index_build_ms"] > 0
    assert "WARNING" not in output
    assert "agree for all 2 needs" in output


@pytest.mark.django_db
def test_bench_scoring_speedup_compares_the_same_needs(monkeypatch):
    # The first two needs (the ones also ranked the naive way) take the fast way 1 ms, the
    # other four 100 ms; the naive way takes 10 ms. On the same needs that is a 10x speedup;
    # dividing by the median over all six needs (100 ms) would report 0.1x.
    from matchmaking.bench import scoring as bench_scoring

    calls = {"fast": 0}
    real_time = bench_scoring._time

    def fake_time(function, need, now):
        _, seen = real_time(function, need, now)
        if function is bench_scoring.naive_rank_need:
            return 10.0, seen
        calls["fast"] += 1
        return (1.0 if calls["fast"] <= 2 else 100.0), seen

    monkeypatch.setattr(bench_scoring, "_time", fake_time)
    out = StringIO()
    call_command(
        "bench",
        "scoring",
        "--providers",
        "40",
        "--needs",
        "6",
        "--naive-needs",
        "2",
        fresh_database=False,
        stdout=out,
    )
    figures = last_json_line(out.getvalue())
    assert figures["median_ms"] == 100.0
    assert figures["same_needs_median_ms"] == 1.0
    assert figures["naive_needs"] == 2
    assert figures["speedup"] == 10.0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["scoring", "--providers", "0"], "--providers: must be 1 or more, not 0"),
        (["scoring", "--needs", "-3"], "--needs: must be 1 or more, not -3"),
        (["scoring", "--naive-needs", "many"], "'many' is not a whole number"),
        (["sorting"], "invalid choice: 'sorting'"),
        ([], "the following arguments are required: BENCHMARK"),
    ],
)
def test_bad_arguments_are_a_command_error(arguments, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("bench", *arguments)


def test_bad_arguments_on_the_command_line_are_a_usage_message_not_a_traceback():
    result = subprocess.run(
        [sys.executable, "manage.py", "bench", "scoring", "--providers", "-1"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "argument --providers: must be 1 or more, not -1" in result.stderr
    assert "Traceback" not in result.stderr


def test_percentile_is_nearest_rank():
    values = [float(n) for n in range(1, 21)]
    assert percentile(values, 0.95) == 19.0
    assert percentile(values, 0.5) == 10.0
    assert percentile([7.0], 0.95) == 7.0


def test_the_command_builds_its_city_in_a_throwaway_database(tmp_path):
    """End to end, as run by hand: the real database is never opened, the fresh one is gone."""
    real = tmp_path / "real.sqlite3"
    with sqlite3.connect(real) as db:
        db.execute("CREATE TABLE kept (value TEXT)")
        db.execute("INSERT INTO kept VALUES ('untouched')")
    before = real.read_bytes()

    result = subprocess.run(
        [sys.executable, "manage.py", "bench", "scoring", "--providers", "30", "--needs", "3"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": f"sqlite:///{real}",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert set(last_json_line(result.stdout)) == FIGURES
    assert real.read_bytes() == before
    fresh = re.search(r"Fresh sqlite database: (\S+)", result.stdout).group(1)
    assert fresh != str(real)
    assert not Path(fresh).parent.exists()


def test_a_database_that_could_not_be_created_is_never_dropped(monkeypatch):
    # If creating failed before the switch, NAME is still the real database: dropping "the
    # test database" then would drop the real one.
    dropped = []

    def create_fails(**kwargs):
        raise RuntimeError("no permission to create a database")

    monkeypatch.setattr(connection.creation, "create_test_db", create_fails)
    monkeypatch.setattr(
        connection.creation, "destroy_test_db", lambda *args, **kwargs: dropped.append(args)
    )
    real_name = connection.settings_dict["NAME"]
    test_name = connection.settings_dict["TEST"].get("NAME")
    with pytest.raises(RuntimeError), database.fresh_database():
        pass
    assert dropped == []
    assert connection.settings_dict["NAME"] == real_name
    assert connection.settings_dict["TEST"].get("NAME") == test_name


def test_a_created_database_is_dropped_and_the_real_one_restored(monkeypatch):
    real_name = connection.settings_dict["NAME"]
    test_name = connection.settings_dict["TEST"].get("NAME")
    calls, names = [], []

    def create(**kwargs):
        calls.append(("create", kwargs["keepdb"]))
        names.append(connection.settings_dict["TEST"]["NAME"])
        connection.settings_dict["NAME"] = "bench_copy"

    def destroy(old_name, **kwargs):
        calls.append(("destroy", old_name))
        connection.settings_dict["NAME"] = old_name

    monkeypatch.setattr(connection.creation, "create_test_db", create)
    monkeypatch.setattr(connection.creation, "destroy_test_db", destroy)
    with pytest.raises(ValueError), database.fresh_database() as name:
        assert name == "bench_copy"
        raise ValueError("the benchmark failed half way")
    assert calls == [("create", False), ("destroy", real_name)]
    assert connection.settings_dict["NAME"] == real_name
    assert connection.settings_dict["TEST"].get("NAME") == test_name
    # Never the test runner's own test database, which a test run may be using.
    if connection.vendor == "sqlite":
        assert names[0].endswith("bench.sqlite3") and not Path(names[0]).parent.exists()
    else:
        assert names == [f"test_{real_name}_bench"]
