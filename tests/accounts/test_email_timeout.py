"""A mail server that accepts connections and never answers cannot hang a request or a worker.

EMAIL_TIMEOUT (settings, default 10 s) bounds every wait on the SMTP server; a send that
times out fails with an OSError that accounts.tasks treats as transient and retries.
"""

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(__file__).resolve().parents[2]

SEND = """
import json, time
import django
django.setup()
from django.conf import settings
from django.core.mail import send_mail
started = time.monotonic()
try:
    send_mail("Subject", "Body", "kith@example.org", ["someone@example.org"])
    outcome = "sent"
except OSError as error:
    outcome = f"{type(error).__name__}: {error}"
print(json.dumps({"outcome": outcome, "seconds": time.monotonic() - started,
                  "timeout": settings.EMAIL_TIMEOUT}))
"""


@pytest.fixture
def silent_mail_server():
    """A TCP server on a free port that accepts every connection and never says a word."""
    listener = socket.create_server(("127.0.0.1", 0))
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


def production_env(**extra):
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "EMAIL_", "DEBUG"))
    }
    return {
        **environment,
        "DJANGO_SETTINGS_MODULE": "matchmaking.settings",
        "DEBUG": "false",
        "SECRET_KEY": "timeout-test-secret-key-0123456789-0123456789-0123456789",
        "ALLOWED_HOSTS": "kith.example.org",
        "DATABASE_URL": "sqlite://:memory:",
        **extra,
    }


def test_the_default_timeout_is_ten_seconds():
    assert settings.EMAIL_TIMEOUT == 10


def test_a_silent_mail_server_fails_the_send_within_email_timeout(silent_mail_server):
    # The production settings module, configured only from the environment as on a server.
    environment = production_env(
        EMAIL_URL=f"smtp://127.0.0.1:{silent_mail_server}", EMAIL_TIMEOUT="1"
    )
    try:
        finished = subprocess.run(
            [sys.executable, "-c", SEND],
            cwd=BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("sending to a mail server that never answers hung for 30 s")
    result = json.loads(finished.stdout.strip().splitlines()[-1])

    assert result["timeout"] == 1
    # smtplib reports the timeout while waiting for the greeting as a dropped connection:
    # transient, so accounts.tasks retries it later.
    assert result["outcome"] == "SMTPServerDisconnected: Connection unexpectedly closed: timed out"
    assert 0.9 <= result["seconds"] < 5
