"""A throwaway database for a benchmark, so a synthetic city never mixes with real data."""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections


@contextmanager
def fresh_database(using: str = DEFAULT_DB_ALIAS):
    """Create, migrate and switch to a new empty database; drop it and switch back on exit.

    This is the test runner's machinery (create_test_db / destroy_test_db). On SQLite the new
    database is a file in a temporary directory (an in-memory database would be lost when
    migrate closes the connection); elsewhere it is test_<name>_bench, clobbered if a previous
    run left one behind.
    """
    connection = connections[using]
    real_name = connection.settings_dict["NAME"]
    test_settings = connection.settings_dict.setdefault("TEST", {})
    saved_test_name = test_settings.get("NAME")
    tmpdir = None
    if connection.vendor == "sqlite":
        tmpdir = tempfile.mkdtemp(prefix="kith-bench-")
        test_settings["NAME"] = str(Path(tmpdir) / "bench.sqlite3")
    else:
        # Not the test runner's test_<name>: a test run on the same server may be using it,
        # and autoclobber would drop it from under them.
        test_settings["NAME"] = f"test_{real_name}_bench"
    try:
        connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False, keepdb=False
        )
        yield connection.settings_dict["NAME"]
    finally:
        # Only drop what was created: if creating failed before the switch, NAME is still the
        # real database and destroy_test_db would drop *it*.
        if connection.settings_dict["NAME"] != real_name:
            connection.creation.destroy_test_db(real_name, verbosity=0, keepdb=False)
        test_settings["NAME"] = saved_test_name
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)
