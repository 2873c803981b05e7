import io
import math
import re
import sys

import pytest
from django.core.management import CommandError, call_command

from services.management.commands import import_postcodes as command_module
from services.models import Postcode
from services.postcodes import (
    GEONAMES,
    ONSPD,
    PostcodeImportError,
    detect_format,
    import_postcodes,
    lookup,
    normalise_postcode,
    synthetic_onspd_rows,
    write_synthetic_onspd,
)
from tests.factories import AreaFactory

ONS_HEADER = "pcd,pcds,dointr,doterm,oslaua,osward,lat,long,imd"


def ons_row(pcds, lat="51.501009", long="-0.141588", osward="E05000644", doterm=""):
    pcd = pcds.replace(" ", "").ljust(7)
    return f"{pcd},{pcds},198001,{doterm},E09000033,{osward},{lat},{long},1234"


def write(tmp_path, lines, name="onspd.csv"):
    path = tmp_path / name
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def geonames_row(code, lat="51.5010", lon="-0.1416", place="Westminster"):
    return "\t".join(
        ["GB", code, place, "England", "ENG", "Greater London", "11609024", "", "", lat, lon, "6"]
    )


def run(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_postcodes", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


# Normalising ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        (" ec1a  1bb ", "EC1A 1BB"),
        ("SW1A 1AA", "SW1A 1AA"),
        ("m1 1ae", "M1 1AE"),
        ("B338TH", "B33 8TH"),
        ("cr2 6xh", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("w1a0ax", "W1A 0AX"),
        ("SW1A\t1AA\n", "SW1A 1AA"),
        ("gir 0aa", "GIR 0AA"),
    ],
)
def test_normalise_postcode_accepts_uk_shapes(raw, expected):
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "postcode is empty"),
        ("   ", "postcode is empty"),
        (None, "postcode must be text, not NoneType"),
        (12345, "postcode must be text, not int"),
        ("SW1A-1AA", "postcode 'SW1A-1AA' may only contain letters and digits"),
        ("SW1", "postcode 'SW1' is too short for a full UK postcode"),
        ("SW1A 1AAA", "postcode 'SW1A 1AAA' is too long for a UK postcode"),
        ("1SW 1AA", "postcode '1SW 1AA' is not a UK postcode"),
        ("SW1A 11A", "postcode 'SW1A 11A' is not a UK postcode"),
        ("ABC 1AA", "postcode 'ABC 1AA' is not a UK postcode"),
        ("SW1A AA1", "postcode 'SW1A AA1' is not a UK postcode"),
    ],
)
def test_normalise_postcode_rejects_with_a_clear_message(raw, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(")) as caught:
        normalise_postcode(raw)
    assert str(caught.value).startswith(message)


def test_normalise_postcode_shortens_a_huge_input_in_its_message():
    with pytest.raises(ValueError) as caught:
        normalise_postcode("X" * 10_000)
    assert len(str(caught.value)) < 100


# Looking up ------------------------------------------------------------------------


@pytest.mark.django_db
def test_lookup_normalises_then_fetches_with_the_area():
    area = AreaFactory()
    Postcode.objects.create(code="SW1A 1AA", latitude=51.5, longitude=-0.14, area=area)

    found = lookup(" sw1a1aa ")

    assert found.code == "SW1A 1AA"
    assert found.area == area


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["EC1A 1BB", "not a postcode", "", None, 42, "SW1A-1AA"])
def test_lookup_returns_none_for_unknown_or_junk(raw):
    Postcode.objects.create(code="SW1A 1AA", latitude=51.5, longitude=-0.14)

    assert lookup(raw) is None


# Detecting the format ------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_line", "expected"),
    [
        (ONS_HEADER + "\n", ONSPD),
        ('"PCD","PCDS","LAT","LONG"\r\n', ONSPD),
        (geonames_row("SW1A 1AA") + "\n", GEONAMES),
        ("postcode,latitude,longitude\n", None),
        ("just some text\n", None),
        ('"unbalanced\n', None),
    ],
)
def test_detect_format(first_line, expected):
    assert detect_format(first_line) == expected


# Importing an ONS Postcode Directory CSV -----------------------------------------


@pytest.mark.django_db
def test_ons_import_writes_postcodes_and_links_areas_by_ward_code(tmp_path):
    ward = AreaFactory(code="E05000644")
    path = write(
        tmp_path,
        [
            ONS_HEADER,
            ons_row("SW1A 1AA", lat="51.501009", long="-0.141588"),
            ons_row("sw1a2aa", lat="51.503540", long="-0.127695"),
            ons_row("EC1A 1BB", lat="51.520225", long="-0.097993", osward="E05009999"),
        ],
    )

    report = import_postcodes(path)

    assert (report.fmt, report.rows_read, report.imported, report.updated) == (ONSPD, 3, 3, 0)
    assert (report.terminated, report.malformed, report.errors) == (0, 0, [])
    palace = Postcode.objects.get(code="SW1A 1AA")
    assert (palace.latitude, palace.longitude) == (51.501009, -0.141588)
    assert (palace.ward_code, palace.area) == ("E05000644", ward)
    assert Postcode.objects.get(code="SW1A 2AA").area == ward
    unknown_ward = Postcode.objects.get(code="EC1A 1BB")
    assert (unknown_ward.ward_code, unknown_ward.area) == ("E05009999", None)


@pytest.mark.django_db
def test_ons_import_skips_terminated_postcodes(tmp_path):
    path = write(
        tmp_path,
        [
            ONS_HEADER,
            ons_row("SW1A 1AA"),
            ons_row("SW1A 0PW", doterm="201506"),
            # A terminated row is skipped before it is checked, so its junk is no error.
            ons_row("SW1A 9ZZ", lat="99.999999", doterm="199001"),
        ],
    )

    report = import_postcodes(path)

    assert (report.rows_read, report.imported, report.terminated, report.malformed) == (3, 1, 2, 0)
    assert list(Postcode.objects.values_list("code", flat=True)) == ["SW1A 1AA"]


@pytest.mark.django_db
def test_ons_header_is_matched_whatever_its_case_and_column_order(tmp_path):
    path = write(
        tmp_path,
        ["LONG,LAT,OSWARD,DOTERM,PCDS", "-0.141588,51.501009,E05000644,,SW1A 1AA"],
    )

    report = import_postcodes(path)

    assert report.imported == 1
    assert Postcode.objects.get().latitude == 51.501009


@pytest.mark.django_db
def test_ons_header_without_a_needed_column_is_refused(tmp_path):
    path = write(tmp_path, ["pcd,pcds,lat,long", "SW1A1AA,SW1A 1AA,51.5,-0.14"])

    with pytest.raises(CommandError) as caught:
        run(str(path))

    assert str(caught.value) == (
        f"{path}: the header row is missing osward, doterm: an ONS Postcode Directory CSV "
        "starts with a header naming pcds, lat, long, osward, doterm"
    )
    assert not Postcode.objects.exists()


@pytest.mark.django_db
def test_malformed_rows_are_reported_by_line_and_not_written(tmp_path):
    path = write(
        tmp_path,
        [
            ONS_HEADER,  # line 1
            ons_row("SW1A 1AA"),
            ons_row("SW1A 2AA", lat="abc"),
            ons_row("SW1A 3AA", lat="99.999999", long="0.000000"),
            ons_row("NOT A CODE"),
            "SW1A4AA,SW1A 4AA,198001",
            "",  # blank lines are neither rows nor errors
            ons_row("SW1A 5AA", long="-200"),
            ons_row("SW1A 6AA", lat=""),
            ons_row("SW1A 7AA", lat="nan"),
            ons_row("SW1A 8AA", osward="E05000644-AND-MORE"),
            ons_row("EC1A 1BB"),  # line 12
        ],
    )

    report = import_postcodes(path)

    assert [str(error) for error in report.errors] == [
        "line 3: latitude 'abc' is not a number",
        "line 4: latitude 99.999999: the postcode has no grid reference",
        "line 5: postcode 'NOT A CODE' is too long for a UK postcode",
        "line 6: expected 9 columns, found 3",
        "line 8: longitude '-200' is out of range (-180 to 180)",
        "line 9: latitude is missing",
        "line 10: latitude 'nan' is out of range (-90 to 90)",
        "line 11: ward code 'E05000644-AND-MORE' is longer than 12 characters",
    ]
    assert (report.rows_read, report.imported, report.malformed) == (10, 2, 8)
    assert list(Postcode.objects.values_list("code", flat=True)) == ["EC1A 1BB", "SW1A 1AA"]


@pytest.mark.django_db
def test_only_the_first_twenty_malformed_rows_are_listed(tmp_path):
    path = write(tmp_path, [ONS_HEADER] + [ons_row("SW1A 1AA", lat="x")] * 25)

    out, _ = run(str(path))

    assert "line 21: latitude 'x' is not a number" in out
    assert "line 22:" not in out
    assert "… and 5 more" in out
    assert not Postcode.objects.exists()


@pytest.mark.django_db
def test_running_again_updates_in_place(tmp_path):
    area = AreaFactory(code="E05000644")
    first = write(tmp_path, [ONS_HEADER, ons_row("SW1A 1AA", lat="51.5"), ons_row("SW1A 2AA")])
    import_postcodes(first)
    second = write(
        tmp_path,
        [ONS_HEADER, ons_row("SW1A 1AA", lat="51.6", osward="E05009999"), ons_row("EC1A 1BB")],
        name="again.csv",
    )

    report = import_postcodes(second)

    assert (report.imported, report.updated) == (1, 1)
    assert Postcode.objects.count() == 3
    moved = Postcode.objects.get(code="SW1A 1AA")
    assert (moved.latitude, moved.ward_code, moved.area) == (51.6, "E05009999", None)
    assert Postcode.objects.get(code="SW1A 2AA").area == area


@pytest.mark.django_db
@pytest.mark.parametrize("batch_size", [1, 2, 100])
def test_batches_and_repeated_postcodes(tmp_path, batch_size):
    # A postcode twice in one batch would make PostgreSQL's upsert fail; the last row wins.
    path = write(
        tmp_path,
        [
            ONS_HEADER,
            ons_row("SW1A 1AA", lat="51.1"),
            ons_row("SW1A 2AA"),
            ons_row("sw1a 1aa", lat="51.2"),
            ons_row("EC1A 1BB"),
            ons_row("W1A 0AX"),
        ],
    )
    seen = []

    report = import_postcodes(path, batch_size=batch_size, progress=lambda r: seen.append(r))

    assert (report.rows_read, report.imported, report.updated) == (5, 4, 1)
    assert Postcode.objects.get(code="SW1A 1AA").latitude == 51.2
    assert len(seen) == {1: 5, 2: 3, 100: 1}[batch_size]


@pytest.mark.django_db
def test_import_from_a_binary_file_object():
    source = io.BytesIO("\ufeff{}\n{}\n".format(ONS_HEADER, ons_row("SW1A 1AA")).encode("utf-8"))

    report = import_postcodes(source)

    assert report.imported == 1
    assert not source.closed, "the caller's file is the caller's to close"


# Importing GeoNames ------------------------------------------------------------------


@pytest.mark.django_db
def test_geonames_import(tmp_path):
    AreaFactory(code="E05000644")
    path = write(
        tmp_path,
        [
            geonames_row("SW1A 1AA", lat="51.5010", lon="-0.1416", place='St James\'s "Palace"'),
            geonames_row("ec1a1bb", lat="51.5202", lon="-0.0980"),
            geonames_row("SW1A", lat="51.5", lon="-0.14"),
            "GB\tSW1A 2AA\tWestminster",
        ],
        name="GB_full.txt",
    )

    report = import_postcodes(path)

    assert (report.fmt, report.rows_read, report.imported, report.malformed) == (GEONAMES, 4, 2, 2)
    assert [str(error) for error in report.errors] == [
        "line 3: postcode 'SW1A' is too short for a full UK postcode",
        "line 4: expected 12 tab-separated columns, found 3",
    ]
    palace = Postcode.objects.get(code="SW1A 1AA")
    assert (palace.latitude, palace.longitude, palace.ward_code, palace.area) == (
        51.501,
        -0.1416,
        "",
        None,
    )
    assert Postcode.objects.filter(code="EC1A 1BB").exists()


@pytest.mark.django_db
def test_format_option_overrides_detection(tmp_path):
    # One GeoNames row without tabs would not be detected; --format says what it is.
    path = write(tmp_path, ["GB SW1A 1AA"], name="odd.txt")

    with pytest.raises(CommandError, match="cannot tell the format"):
        run(str(path))
    out, _ = run(str(path), "--format", "geonames")

    assert "line 1: expected 12 tab-separated columns, found 1" in out


# The command's errors and output ---------------------------------------------------------


@pytest.mark.django_db
def test_undetectable_format_is_a_command_error(tmp_path):
    path = write(tmp_path, ["postcode,latitude,longitude", "SW1A 1AA,51.5,-0.14"])

    with pytest.raises(CommandError) as caught:
        run(str(path))

    assert str(caught.value) == (
        f"cannot tell the format of {path}: its first line is neither an ONS Postcode "
        "Directory header naming pcds nor tab-separated GeoNames data. "
        "Choose one with --format onspd or --format geonames"
    )


@pytest.mark.django_db
def test_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match=r"nowhere\.csv: no such file$"):
        run(str(tmp_path / "nowhere.csv"))


@pytest.mark.django_db
def test_empty_file_is_a_command_error(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")

    with pytest.raises(CommandError) as caught:
        run(str(path))

    assert str(caught.value) == f"{path} is empty"


@pytest.mark.django_db
def test_directory_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="is a directory, not a file"):
        run(str(tmp_path))


@pytest.mark.django_db
def test_bad_batch_size_is_refused(tmp_path):
    path = write(tmp_path, [ONS_HEADER, ons_row("SW1A 1AA")])

    with pytest.raises(CommandError, match="--batch-size: must be at least 1"):
        run(str(path), "--batch-size", "0")


@pytest.mark.django_db
def test_command_prints_a_summary_and_is_quiet_otherwise(tmp_path):
    path = write(
        tmp_path,
        [
            ONS_HEADER,
            ons_row("SW1A 1AA"),
            ons_row("SW1A 2AA", doterm="201001"),
            ons_row("SW1A 3AA", long="east"),
            ons_row("EC1A 1BB"),
        ],
    )

    out, err = run(str(path))

    assert re.sub(r"\d+\.\d s:", "N s:", out) == (
        f"Postcodes from {path} (ONS Postcode Directory CSV), N s:\n"
        "  rows read                         4\n"
        "  imported (new)                    2\n"
        "  updated                           0\n"
        "  skipped as terminated             1\n"
        "  malformed, not written            1\n"
        "Malformed rows:\n"
        "  line 4: longitude 'east' is not a number\n"
    )
    assert err == ""
    out, _ = run(str(path))
    assert "  imported (new)                    0\n  updated                           2\n" in out


@pytest.mark.django_db
def test_verbose_command_reports_progress_on_stderr(tmp_path, monkeypatch):
    monkeypatch.setattr(command_module, "PROGRESS_EVERY", 2)
    path = write(tmp_path, [ONS_HEADER] + [ons_row(f"SW1A {n}AA") for n in range(5)])

    _, err = run(str(path), "--batch-size", "1", verbosity=2)

    assert err == "2 rows read\n4 rows read\n"


@pytest.mark.django_db
def test_command_reads_standard_input(monkeypatch):
    data = f"{ONS_HEADER}\n{ons_row('SW1A 1AA')}\n".encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))

    out, _ = run("-")

    assert "imported (new)                    1" in out
    assert Postcode.objects.filter(code="SW1A 1AA").exists()


def test_import_function_refuses_an_unknown_format(tmp_path):
    with pytest.raises(PostcodeImportError, match="unknown format 'csv'"):
        import_postcodes(tmp_path / "x.csv", fmt="csv")


# Synthetic postcodes ------------------------------------------------------------------


def test_synthetic_rows_are_unique_valid_nearby_and_repeatable():
    centre = (51.4543, -0.9781)
    wards = ["E05999001", "E05999002", "E05999003"]

    rows = list(synthetic_onspd_rows(3000, seed=7, centre=centre, ward_codes=wards))

    assert rows == list(synthetic_onspd_rows(3000, seed=7, centre=centre, ward_codes=wards))
    assert rows != list(synthetic_onspd_rows(3000, seed=8, centre=centre, ward_codes=wards))
    codes = [row["pcds"] for row in rows]
    assert len(set(codes)) == 3000
    assert all(normalise_postcode(code) == code for code in codes)
    assert all(code[:2] in {"RV", "RW", "RX", "RY", "RZ"} for code in codes)
    assert len({code.split()[0] for code in codes}) > 10, "spread over many districts"
    km = [
        math.hypot(
            (row["lat"] - centre[0]) * 111.32,
            (row["long"] - centre[1]) * 111.32 * math.cos(math.radians(centre[0])),
        )
        for row in rows
    ]
    assert max(km) <= 6.01
    assert sum(km) / len(km) > 2, "scattered, not piled on the centre"
    assert {row["osward"] for row in rows} == set(wards)
    assert 0 < sum(bool(row["doterm"]) for row in rows) < 100


def test_synthetic_rows_without_wards_or_terminations():
    rows = list(synthetic_onspd_rows(50, seed=1, ward_codes=[], terminated_share=0))

    assert len(rows) == 50
    assert {row["osward"] for row in rows} == {""}
    assert not any(row["doterm"] for row in rows)


@pytest.mark.django_db
def test_written_synthetic_file_imports(tmp_path):
    north, south = AreaFactory(code="E05999001"), AreaFactory(code="E05999002")
    path = write_synthetic_onspd(
        tmp_path / "synthetic.csv", 400, 3, ward_codes=[north.code, south.code]
    )

    report = import_postcodes(path)

    assert report.rows_read == 400
    assert report.malformed == 0
    assert report.imported == 400 - report.terminated
    assert Postcode.objects.filter(area=None).count() == 0
    assert Postcode.objects.filter(area=north).exists()
    assert Postcode.objects.filter(area=south).exists()
