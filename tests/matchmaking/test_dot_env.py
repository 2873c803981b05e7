"""A developer's .env can never switch a server into DEBUG (and so into the demo's 000000
two-factor bypass): DEBUG is read from the real environment only, and the file only while
DEBUG is already on there.

Each test imports a copy of matchmaking/settings.py whose BASE_DIR is a temporary folder
holding the .env, in a fresh interpreter.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SETTINGS = Path(__file__).resolve().parents[2] / "matchmaking" / "settings.py"

READ = """
import json
from matchmaking import settings
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "bypass": hasattr(settings, "MFA_TOTP_INSECURE_BYPASS_CODE"),
    "COUNCIL_NAME": settings.COUNCIL_NAME,
    "SECRET_KEY": settings.SECRET_KEY,
}))
"""


@pytest.fixture
def project(tmp_path):
    """A BASE_DIR with the real settings module and a .env as `make install` once wrote."""
    (tmp_path / "matchmaking").mkdir()
    (tmp_path / "matchmaking" / "__init__.py").touch()
    shutil.copy(SETTINGS, tmp_path / "matchmaking" / "settings.py")
    (tmp_path / ".env").write_text("DEBUG=true\nCOUNCIL_NAME=Dot Env Council\n")
    return tmp_path


def clean_environment():
    return {
        name: value
        for name, value in os.environ.items()
        if name not in {"DEBUG", "COUNCIL_NAME", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }


def load_settings(project, **environment):
    finished = subprocess.run(
        [sys.executable, "-c", READ],
        cwd=project,
        env={**clean_environment(), "PYTHONPATH": str(project), **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return finished


def test_production_ignores_a_dot_env_that_says_debug(project):
    finished = load_settings(project, SECRET_KEY="production-secret-0123456789-0123456789")

    assert finished.returncode == 0, finished.stderr
    loaded = json.loads(finished.stdout)
    assert loaded["DEBUG"] is False
    assert loaded["bypass"] is False  # no 000000 two-factor code
    assert loaded["COUNCIL_NAME"] == "Riverside Borough Council"  # the file was not read


def test_without_a_secret_key_the_settings_stay_out_of_debug_with_no_key(project):
    # Commands that sign nothing (makemigrations --check, migrate) may run like this.
    finished = load_settings(project)

    assert finished.returncode == 0, finished.stderr
    loaded = json.loads(finished.stdout)
    assert loaded["DEBUG"] is False and loaded["bypass"] is False
    assert loaded["SECRET_KEY"] == ""  # never the development key


@pytest.mark.parametrize("server", ["matchmaking.wsgi", "matchmaking.asgi"])
def test_without_a_secret_key_a_server_refuses_to_start_rather_than_debug(server):
    finished = subprocess.run(
        [sys.executable, "-c", f"import {server}"],
        cwd=SETTINGS.parents[1],
        env={**clean_environment(), "DJANGO_SETTINGS_MODULE": "matchmaking.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert finished.returncode != 0
    assert "Set SECRET_KEY" in finished.stderr


def test_a_developer_with_debug_on_still_gets_their_dot_env(project):
    finished = load_settings(project, DEBUG="true")

    assert finished.returncode == 0, finished.stderr
    loaded = json.loads(finished.stdout)
    assert loaded["DEBUG"] is True
    assert loaded["COUNCIL_NAME"] == "Dot Env Council"
