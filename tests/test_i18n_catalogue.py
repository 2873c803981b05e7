"""The Welsh catalogue is complete, compiled, and what `makemessages` would write.

CI fails when a string a resident or provider sees has no Welsh yet (untranslated or
fuzzy), when the committed .mo is older than the .po, or when the code has strings the
catalogue lacks (or the catalogue keeps ones the code dropped). Refresh it with
`make messages` (README "Welsh").
"""

import ast
import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "cy" / "LC_MESSAGES"
PO = CATALOGUE / "django.po"
# The Welsh for django-allauth's own pages and emails (it ships none), kept by hand.
ALLAUTH_PO = Path(settings.BASE_DIR) / "locale" / "allauth" / "cy" / "LC_MESSAGES" / "django.po"
CATALOGUES = pytest.mark.parametrize("po", [PO, ALLAUTH_PO], ids=["kith", "allauth"])
# What a copy of the project for makemessages leaves out: it reads the code and templates.
NOT_COPIED = {"node_modules", "static", "staticfiles", "media", "private-media", "test-results"}


def not_copied(folder, names):
    return [
        name
        for name in names
        if name in NOT_COPIED
        or name.startswith(".")  # .git, .venv, caches
        or name == "__pycache__"
        or ".sqlite3" in name
    ]


def read_po(path):
    """The catalogue's entries as {(context, msgid, msgid_plural): (msgstrs, flags)}."""
    entries, current, field, flags = {}, {}, None, set()

    def flush():
        nonlocal current, flags
        if current.get("msgid"):
            key = (current.get("msgctxt"), current["msgid"], current.get("msgid_plural"))
            strings = tuple(v for k, v in sorted(current.items()) if k.startswith("msgstr"))
            entries[key] = (strings, frozenset(flags))
        current, flags = {}, set()

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            flush()
        elif line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[field] += ast.literal_eval(line)
        else:
            field, value = line.split(" ", 1)
            current[field] = ast.literal_eval(value)
    flush()
    return entries


@CATALOGUES
def test_every_entry_is_translated_and_none_is_fuzzy(po):
    entries = read_po(po)
    assert len(entries) > 100  # the whole of it, not an empty file
    untranslated = [key[1] for key, (strings, _) in entries.items() if not all(strings)]
    fuzzy = [key[1] for key, (_, flags) in entries.items() if "fuzzy" in flags]
    assert untranslated == [], f"Welsh missing for {len(untranslated)}: {untranslated[:10]}"
    assert fuzzy == [], f"fuzzy (check the Welsh, then drop the flag): {fuzzy[:10]}"


@CATALOGUES
def test_the_committed_mo_is_compiled_from_the_po(po):
    with po.with_suffix(".mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog
    expected = {}
    for (context, msgid, plural), (strings, _) in read_po(po).items():
        key = f"{context}\x04{msgid}" if context else msgid
        if plural is None:
            expected[key] = strings[0]
        else:
            expected.update({(key, n): string for n, string in enumerate(strings)})
    compiled = {key: value for key, value in catalog.items() if key != ""}
    assert compiled == expected, "run `make messages` to compile the catalogue"
    assert "nplurals=4" in catalog[""]  # Welsh plural forms (Django's own rule for cy)


def test_makemessages_would_not_change_the_catalogue(tmp_path):
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        if os.environ.get("CI"):
            pytest.fail("GNU gettext is missing: `make gettext` installs it")
        pytest.skip("GNU gettext is not installed (`make gettext`)")
    copy = tmp_path / "kith"
    shutil.copytree(
        settings.BASE_DIR,
        copy,
        ignore=not_copied,
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "matchmaking.settings",
        "DEBUG": "false",
        "SECRET_KEY": "makemessages-check",
    }
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "cy", "--verbosity", "0"],
        cwd=copy,
        env=environment,
        check=True,
        capture_output=True,
    )
    committed = read_po(PO)
    refreshed = read_po(copy / "locale" / "cy" / "LC_MESSAGES" / "django.po")
    new = sorted(key[1] for key in refreshed.keys() - committed.keys())
    dropped = sorted(key[1] for key in committed.keys() - refreshed.keys())
    assert (new, dropped) == ([], []), "run `make messages` and translate what is new"
    assert refreshed == committed
