"""Postcodes: normalise, look up, import from ONSPD or GeoNames, and generate fake ones.

The importer streams the file and upserts it in batches, so a re-run updates
in place. It is written for the full ONS Postcode Directory (about 2.7 million
rows), which is why the per-row path avoids the ORM's slower conveniences.
"""

from __future__ import annotations

import csv
import io
import math
import os
import random
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import NamedTuple, TextIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext_lazy as _

from services.models import Area, Postcode

ONSPD = "onspd"
GEONAMES = "geonames"
FORMATS = {ONSPD: "ONS Postcode Directory CSV", GEONAMES: "GeoNames postal-code TSV"}
ONSPD_COLUMNS = ("pcds", "lat", "long", "osward", "doterm")
GEONAMES_WIDTH = 12
MAX_LISTED_ERRORS = 20
DEFAULT_BATCH_SIZE = 5000
# Rows per INSERT statement inside a batch: keeps PostgreSQL under its 65,535
# parameter limit whatever --batch-size is (SQLite applies its own, lower cap).
ROWS_PER_INSERT = 5000
WARD_CODE_MAX = Postcode._meta.get_field("ward_code").max_length

# Outward code: A9, A99, AA9, AA99, A9A, AA9A. Inward code: digit and two letters.
# GIR 0AA (the old Girobank code) is the one postcode that breaks the pattern.
_POSTCODE = re.compile(r"(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR)[0-9][A-Z]{2}")
# ONSPD's pcds column is already in this form; matching it first skips the clean-up.
_CANONICAL = re.compile(r"(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR) [0-9][A-Z]{2}")
_NOT_ALNUM = re.compile(r"[^A-Z0-9]")


class PostcodeImportError(Exception):
    """The file cannot be imported at all: missing, empty, unreadable or of unknown format."""


def _shown(value: str, limit: int = 20) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


def normalise_postcode(raw) -> str:
    """Return the postcode in its standard form ("sw1a1aa" → "SW1A 1AA").

    Raises ValueError, with a message fit to show a person, when `raw` is not
    shaped like a UK postcode. Whether the postcode exists is another matter:
    see `lookup`.
    """
    if not isinstance(raw, str):
        raise ValueError(f"postcode must be text, not {type(raw).__name__}")
    compact = "".join(raw.split()).upper()
    if not compact:
        raise ValueError("postcode is empty")
    if _NOT_ALNUM.search(compact):
        raise ValueError(f"postcode {_shown(raw.strip())} may only contain letters and digits")
    if len(compact) < 5:
        raise ValueError(f"postcode {_shown(raw.strip())} is too short for a full UK postcode")
    if len(compact) > 7:
        raise ValueError(f"postcode {_shown(raw.strip())} is too long for a UK postcode")
    if not _POSTCODE.fullmatch(compact):
        raise ValueError(
            f"postcode {_shown(raw.strip())} is not a UK postcode "
            "(an area and district like SW1A, then a digit and two letters like 1AA)"
        )
    return f"{compact[:-3]} {compact[-3:]}"


def lookup(raw) -> Postcode | None:
    """The Postcode for what a person typed, or None when it is malformed or unknown."""
    try:
        code = normalise_postcode(raw)
    except ValueError:
        return None
    return Postcode.objects.select_related("area").filter(code=code).first()


# The UK's postcode areas (the letters before the first digit). A well-formed postcode in
# one of them that is not in our table, in a district (outward code) where we know no
# postcode, is a real place outside the council's area, not a typing mistake.
UK_POSTCODE_AREAS = frozenset(
    re.findall(
        r"[A-Z]+",
        "AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL "
        "DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT "
        "KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR "
        "RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA "
        "WC WD WF WN WR WS WV YO ZE ",
    )
)
_AREA_LETTERS = re.compile(r"[A-Z]+")


def _elsewhere_in_the_uk(code: str) -> bool:
    """Whether an unknown, well-formed postcode is a real one in another council's area."""
    outward = code.split(" ")[0]
    if _AREA_LETTERS.match(outward).group() not in UK_POSTCODE_AREAS:
        return False
    return not Postcode.objects.filter(code__startswith=f"{outward} ").exists()


class PostcodeMessages(NamedTuple):
    """What to tell a person whose postcode will not do ({code}, {area}, {service} filled in)."""

    malformed: str
    unknown: str
    outside: str


RESIDENT_MESSAGES = PostcodeMessages(
    malformed=_("We do not recognise that postcode. Check it and try again"),
    unknown=_("We do not recognise that postcode. Check it and try again"),
    outside=_(
        "{code} is outside {area}. {service} can only find help in {area}. "
        "Your own council may offer help: find it at {elsewhere}"
    ),
)
PROVIDER_MESSAGES = PostcodeMessages(
    malformed=_("Enter a full postcode, like RV1 2AB"),
    unknown=_("We cannot find {code}. Enter a postcode in {area}"),
    outside=_(
        "{code} is outside {area}. You can offer help through {service} only if you live in {area}"
    ),
)


def postcode_in_council(raw, messages=RESIDENT_MESSAGES) -> Postcode:
    """The known Postcode inside the council's areas for what a person typed.

    Raises django's ValidationError with the matching message otherwise; the web forms and
    the API both call this, so they can never disagree on which postcodes will do.
    """
    try:
        code = normalise_postcode(raw)
    except ValueError:
        raise ValidationError(messages.malformed, code="malformed") from None
    postcode = Postcode.objects.select_related("area").filter(code=code).first()
    words = {
        "code": code,
        "area": settings.COUNCIL_AREA,
        "service": settings.SERVICE_NAME,
        "elsewhere": settings.OUTSIDE_AREA_URL,
    }
    if postcode is None and _elsewhere_in_the_uk(code):
        raise ValidationError(messages.outside.format(**words), code="outside")
    if postcode is None:
        raise ValidationError(messages.unknown.format(**words), code="unknown")
    if postcode.area_id is None:
        raise ValidationError(messages.outside.format(**words), code="outside")
    return postcode


# Parsing ---------------------------------------------------------------------


class Record(NamedTuple):
    code: str
    latitude: float
    longitude: float
    ward_code: str


class RowError(NamedTuple):
    line: int
    message: str

    def __str__(self):
        return f"line {self.line}: {self.message}"


class Terminated(NamedTuple):
    line: int


def _coordinate(name: str, raw: str, limit: int) -> float:
    try:
        value = float(raw)
    except ValueError:
        if not raw.strip():
            raise ValueError(f"{name} is missing") from None
        raise ValueError(f"{name} {_shown(raw)} is not a number") from None
    # Written so that NaN fails too.
    if not -limit <= value <= limit:
        if raw.strip() == "99.999999":
            raise ValueError(f"{name} 99.999999: the postcode has no grid reference")
        raise ValueError(f"{name} {_shown(raw)} is out of range (-{limit} to {limit})")
    return value


def _record(raw_code: str, raw_lat: str, raw_lon: str, ward: str) -> Record:
    code = raw_code if _CANONICAL.fullmatch(raw_code) else normalise_postcode(raw_code)
    latitude = _coordinate("latitude", raw_lat, 90)
    longitude = _coordinate("longitude", raw_lon, 180)
    if len(ward) > WARD_CODE_MAX:
        raise ValueError(f"ward code {_shown(ward)} is longer than {WARD_CODE_MAX} characters")
    return Record(code, latitude, longitude, ward)


def parse_onspd(lines: Iterable[str]) -> Iterator[Record | RowError | Terminated]:
    """Rows of an ONS Postcode Directory CSV: a Record, a RowError or a Terminated per row.

    Raises PostcodeImportError when the header lacks a column the import needs.
    """
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        raise PostcodeImportError("the file is empty")
    names = [name.strip().lower() for name in header]
    missing = [name for name in ONSPD_COLUMNS if name not in names]
    if missing:
        raise PostcodeImportError(
            f"the header row is missing {', '.join(missing)}: an ONS Postcode Directory "
            f"CSV starts with a header naming {', '.join(ONSPD_COLUMNS)}"
        )
    width = len(names)
    i_code, i_lat, i_lon, i_ward, i_term = (names.index(name) for name in ONSPD_COLUMNS)
    while True:
        # The reader carries on after a csv.Error (a runaway quoted field, say), so
        # the bad row is reported like any other; the try costs nothing per row.
        try:
            for row in reader:
                if len(row) != width:
                    if row:
                        yield RowError(
                            reader.line_num, f"expected {width} columns, found {len(row)}"
                        )
                    continue
                if row[i_term].strip():
                    yield Terminated(reader.line_num)
                    continue
                try:
                    yield _record(row[i_code], row[i_lat], row[i_lon], row[i_ward].strip())
                except ValueError as exc:
                    yield RowError(reader.line_num, str(exc))
            return
        except csv.Error as exc:
            yield RowError(reader.line_num, f"not valid CSV ({exc})")


def parse_geonames(lines: Iterable[str]) -> Iterator[Record | RowError]:
    """Rows of a GeoNames postal-code file (tab-separated, no header). No ward codes."""
    for number, line in enumerate(lines, start=1):
        # Tabs only: GeoNames place names contain quotes that a CSV reader would misread.
        parts = line.rstrip("\r\n").split("\t")
        if len(parts) != GEONAMES_WIDTH:
            if len(parts) > 1 or parts[0].strip():
                yield RowError(
                    number, f"expected {GEONAMES_WIDTH} tab-separated columns, found {len(parts)}"
                )
            continue
        try:
            yield _record(parts[1], parts[9], parts[10], "")
        except ValueError as exc:
            yield RowError(number, str(exc))


PARSERS = {ONSPD: parse_onspd, GEONAMES: parse_geonames}


def detect_format(first_line: str) -> str | None:
    """ONSPD when the first line is a CSV header naming pcds, GeoNames when it has tabs."""
    try:
        fields = next(csv.reader([first_line]), [])
    except csv.Error:
        fields = []
    if any(name.strip().lower() == "pcds" for name in fields):
        return ONSPD
    if "\t" in first_line:
        return GEONAMES
    return None


# Importing -------------------------------------------------------------------


@dataclass
class ImportReport:
    source: str
    fmt: str
    rows_read: int = 0
    imported: int = 0
    updated: int = 0
    terminated: int = 0
    malformed: int = 0
    errors: list[RowError] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def written(self) -> int:
        return self.imported + self.updated

    def summary(self) -> str:
        lines = [
            f"Postcodes from {self.source} ({FORMATS[self.fmt]}), {self.seconds:.1f} s:",
            f"  rows read                {self.rows_read:>10,}",
            f"  imported (new)           {self.imported:>10,}",
            f"  updated                  {self.updated:>10,}",
            f"  skipped as terminated    {self.terminated:>10,}",
            f"  malformed, not written   {self.malformed:>10,}",
        ]
        if self.errors:
            lines.append("Malformed rows:")
            lines.extend(f"  {error}" for error in self.errors)
            if self.malformed > len(self.errors):
                lines.append(f"  … and {self.malformed - len(self.errors):,} more")
        return "\n".join(lines)


@contextmanager
def _text_stream(path_or_file) -> Iterator[tuple[TextIO, str]]:
    """The file as text, and a name for messages. Closes only what it opened."""
    if hasattr(path_or_file, "read"):
        name = getattr(path_or_file, "name", None) or "the file"
        if not isinstance(path_or_file.read(0), bytes):
            yield path_or_file, name
            return
        wrapper = io.TextIOWrapper(path_or_file, encoding="utf-8-sig", errors="replace", newline="")
        try:
            yield wrapper, name
        finally:
            # Detach, or the wrapper would close the caller's file when collected.
            wrapper.detach()
        return
    name = os.fspath(path_or_file)
    try:
        # A stray byte must not abort a 2.7-million-row import: it becomes a malformed row.
        stream = open(name, encoding="utf-8-sig", errors="replace", newline="")  # noqa: SIM115
    except FileNotFoundError:
        raise PostcodeImportError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise PostcodeImportError(f"{name} is a directory, not a file") from None
    except PermissionError:
        raise PostcodeImportError(f"{name}: permission denied") from None
    except OSError as exc:
        raise PostcodeImportError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    with stream:
        yield stream, name


def _upsert(objs: list[Postcode]) -> None:
    with transaction.atomic():
        Postcode.objects.bulk_create(
            objs,
            batch_size=ROWS_PER_INSERT,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["latitude", "longitude", "ward_code", "area"],
        )


def _postcode_maker() -> Callable[[str, float, float, str, int | None], Postcode]:
    # Positional construction is about 40% cheaper than keyword arguments;
    # fall back to keywords if the model's fields ever change order.
    attnames = [f.attname for f in Postcode._meta.concrete_fields]
    if attnames == ["code", "latitude", "longitude", "ward_code", "area_id"]:
        return Postcode
    return lambda code, lat, lon, ward, area_id: Postcode(
        code=code, latitude=lat, longitude=lon, ward_code=ward, area_id=area_id
    )


def import_postcodes(
    path_or_file,
    fmt: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Upsert the postcodes of an ONSPD CSV or GeoNames TSV into Postcode, batch by batch.

    `path_or_file` is a path or an open text or binary file. `fmt` is "onspd",
    "geonames" or None to detect it from the first line. Malformed rows are
    counted and the first MAX_LISTED_ERRORS kept in the report; they never stop
    the import. Each batch of `batch_size` postcodes commits on its own, so an
    interrupted import keeps what it wrote, and running it again is safe.
    `progress(report)` is called after each batch written; imported and updated
    are only filled in at the end.

    Raises PostcodeImportError when the file cannot be imported at all.
    """
    if fmt is not None and fmt not in FORMATS:
        raise PostcodeImportError(f"unknown format {fmt!r}: use {' or '.join(FORMATS)}")
    if batch_size < 1:
        raise PostcodeImportError("the batch size must be at least 1")
    started = time.perf_counter()
    with _text_stream(path_or_file) as (stream, name):
        try:
            first = stream.readline()
        except OSError as exc:
            raise PostcodeImportError(f"{name}: cannot be read ({exc})") from None
        if not first:
            raise PostcodeImportError(f"{name} is empty")
        fmt = fmt or detect_format(first)
        if fmt is None:
            raise PostcodeImportError(
                f"cannot tell the format of {name}: its first line is neither an ONS Postcode "
                "Directory header naming pcds nor tab-separated GeoNames data. "
                "Choose one with --format onspd or --format geonames"
            )
        report = ImportReport(source=name, fmt=fmt)
        try:
            _import_rows(PARSERS[fmt](chain([first], stream)), report, batch_size, progress)
        except PostcodeImportError as exc:
            raise PostcodeImportError(f"{name}: {exc}") from None
        except OSError as exc:
            raise PostcodeImportError(
                f"{name}: reading stopped after {report.rows_read:,} rows ({exc}); "
                "the batches before it were saved"
            ) from None
        except DatabaseError as exc:
            raise PostcodeImportError(
                f"{name}: the database refused a batch after {report.rows_read:,} rows "
                f"({exc}); the batches before it were saved"
            ) from None
    report.seconds = time.perf_counter() - started
    return report


def _import_rows(rows, report: ImportReport, batch_size: int, progress) -> None:
    area_ids = dict(Area.objects.values_list("code", "id"))
    make = _postcode_maker()
    errors = report.errors
    # New versus updated comes from the table's size before and after: asking
    # per batch which codes exist would cost a query and a big IN list each time.
    count_before = Postcode.objects.count()
    # Keyed by code: PostgreSQL refuses an upsert that touches one row twice,
    # so a postcode repeated within a batch keeps its last row.
    batch: dict[str, Postcode] = {}
    valid = 0
    for item in rows:
        report.rows_read += 1
        kind = type(item)
        if kind is Record:
            code, lat, lon, ward = item
            batch[code] = make(code, lat, lon, ward, area_ids.get(ward))
            valid += 1
            if len(batch) >= batch_size:
                _upsert(list(batch.values()))
                batch.clear()
                if progress is not None:
                    progress(report)
        elif kind is Terminated:
            report.terminated += 1
        else:
            report.malformed += 1
            if len(errors) < MAX_LISTED_ERRORS:
                errors.append(item)
    if batch:
        _upsert(list(batch.values()))
        if progress is not None:
            progress(report)
    if valid:
        report.imported = Postcode.objects.count() - count_before
        report.updated = valid - report.imported


# Synthetic data ----------------------------------------------------------------

# No real postcode area starts with R and then V to Z, so these can never clash
# with a real postcode if the fake and the real directory meet in one database.
SYNTHETIC_AREAS = ("RV", "RW", "RX", "RY", "RZ")
# Letters that real inward codes use (never C, I, K, M, O or V).
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_UNITS_PER_SECTOR = len(_INWARD_LETTERS) ** 2
_DISTRICTS_PER_AREA = 99
SYNTHETIC_WARD_CODES = ("E05999001", "E05999002", "E05999003", "E05999004")
SYNTHETIC_COLUMNS = ("pcd", "pcds", "dointr", "doterm", "osward", "lat", "long")
_KM_PER_DEGREE = 111.32


def synthetic_onspd_rows(
    n: int,
    *,
    seed,
    centre: tuple[float, float] = (51.4543, -0.9781),
    spread_km: float = 6,
    ward_codes: Iterable[str] = SYNTHETIC_WARD_CODES,
    terminated_share: float = 0.01,
) -> Iterator[dict]:
    """`n` fake ONSPD rows (dicts keyed by SYNTHETIC_COLUMNS) around `centre`.

    Codes are unique, valid in shape and never real ("RV3 7HQ"). Like real
    postcodes they nest: a district covers a patch of the town, its sectors
    smaller patches, its units lie close together. Every point is within
    `spread_km` of the centre; the wards split the circle into equal slices
    (ward_codes[0] starts due west and they go anticlockwise). About
    `terminated_share` of the rows carry a termination date. The same seed
    gives the same rows.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    wards = list(ward_codes)
    rng = random.Random(seed)
    lat0, lon0 = centre
    km_per_lon_degree = _KM_PER_DEGREE * math.cos(math.radians(lat0))
    # Enough districts for the rows to spread across the town, and few enough
    # that a district holds a believable number of sectors and units.
    districts = max(math.ceil(n / (10 * _UNITS_PER_SECTOR)), math.ceil(math.sqrt(n) / 3), 1)
    if districts > len(SYNTHETIC_AREAS) * _DISTRICTS_PER_AREA:
        raise ValueError(f"cannot make {n:,} distinct synthetic postcodes")
    district_km = spread_km / math.sqrt(districts)

    def inside(x, y):
        # Pull a point that strayed outside the circle back onto its edge.
        r = math.hypot(x, y)
        return (x, y) if r <= spread_km else (x * spread_km / r, y * spread_km / r)

    for d in range(districts):
        in_district = n // districts + (d < n % districts)
        if not in_district:
            continue
        outward = f"{SYNTHETIC_AREAS[d // _DISTRICTS_PER_AREA]}{d % _DISTRICTS_PER_AREA + 1}"
        angle, r = rng.uniform(0, 2 * math.pi), spread_km * 0.9 * math.sqrt(rng.random())
        dx, dy = r * math.cos(angle), r * math.sin(angle)
        sectors = min(10, max(1, math.ceil(math.sqrt(in_district) / 2)))
        sector_km = district_km / math.sqrt(sectors) / 2
        for s, digit in enumerate(sorted(rng.sample(range(10), sectors))):
            in_sector = in_district // sectors + (s < in_district % sectors)
            sx, sy = inside(rng.gauss(dx, district_km / 2), rng.gauss(dy, district_km / 2))
            for unit in sorted(rng.sample(range(_UNITS_PER_SECTOR), in_sector)):
                x, y = inside(rng.gauss(sx, sector_km), rng.gauss(sy, sector_km))
                inward = f"{digit}{_INWARD_LETTERS[unit // 20]}{_INWARD_LETTERS[unit % 20]}"
                if wards:
                    slice_ = (math.atan2(y, x) + math.pi) / (2 * math.pi) * len(wards)
                    ward = wards[min(int(slice_), len(wards) - 1)]
                else:
                    ward = ""
                terminated = rng.random() < terminated_share
                yield {
                    "pcd": f"{outward:<4}{inward}",
                    "pcds": f"{outward} {inward}",
                    "dointr": f"{rng.randint(1980, 2020)}{rng.randint(1, 12):02d}",
                    "doterm": f"{rng.randint(2021, 2025)}{rng.randint(1, 12):02d}"
                    if terminated
                    else "",
                    "osward": ward,
                    "lat": round(lat0 + y / _KM_PER_DEGREE, 6),
                    "long": round(lon0 + x / km_per_lon_degree, 6),
                }


def write_synthetic_onspd(path, n: int, seed=0, **options) -> Path:
    """Write `n` synthetic rows as an ONSPD-shaped CSV; `options` go to synthetic_onspd_rows."""
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=SYNTHETIC_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(synthetic_onspd_rows(n, seed=seed, **options))
    return path
