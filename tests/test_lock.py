"""The lock files pin, with hashes, what `make install` installs: CI tests those versions.

requirements/dev.lock (app + redis extra + dev tools) and requirements/main.lock (app +
redis extra, for servers) are compiled from pyproject.toml's ranges by `make lock`.
"""

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def pins(name):
    text = (ROOT / "requirements" / name).read_text()
    return {canonicalize_name(package): pinned for package, pinned in PIN.findall(text)}


def project_requirements(*extras):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = project["dependencies"] + [
        line for extra in extras for line in project["optional-dependencies"][extra]
    ]
    return [Requirement(line) for line in listed]


@pytest.mark.parametrize(
    ("lock", "extras"), [("dev.lock", ("dev", "redis")), ("main.lock", ("redis",))]
)
def test_every_requirement_is_locked_within_its_range(lock, extras):
    locked = pins(lock)
    for requirement in project_requirements(*extras):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in requirements/{lock}: run make lock"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{name}=={locked[name]} is outside {requirement.specifier}: run make lock"
        )


@pytest.mark.parametrize("lock", ["dev.lock", "main.lock"])
def test_every_pin_has_hashes(lock):
    text = (ROOT / "requirements" / lock).read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    assert len(entries) == len(pins(lock))
    assert all("--hash=sha256:" in entry for entry in entries)


def test_the_server_lock_agrees_with_the_development_lock():
    development = pins("dev.lock")
    assert {name: development.get(name) for name in pins("main.lock")} == pins("main.lock")


def test_this_environment_runs_the_locked_versions():
    # `make install` installs dev.lock with --require-hashes; this is what the suite tests.
    installed = {}
    for name in pins("dev.lock"):
        try:
            installed[name] = version(name)
        except PackageNotFoundError:
            installed[name] = None
    assert installed == pins("dev.lock")
