"""What a tariff tree may make levyrules read (issue 14 follow-up): a test file's `tariff:`
path is confined as `extends` is (tariff/paths.py), and `check national/<FY>.yaml` reads
the file through the same limited reader as a tariff (size, UTF-8, aliases, depth)."""

from __future__ import annotations

from pathlib import Path

from levyrules.authoring import tariff_tests
from levyrules.authoring.check import check_file
from levyrules.tariff.loader import tariffs_root

from test_author_tools import TEST_FILE, make_tests_dir, write

REFUSED = "`tariff` may name a tariff id or a file in the folder above `tests`"


def test_a_test_files_tariff_path_stays_in_the_tariffs_folder(tmp_path):
    d = make_tests_dir(tmp_path / "tree")                    # tree/town/tests
    tokyo = (tariffs_root() / "tokyo-23ku" / "2026.yaml").read_text(encoding="utf-8")
    write(tmp_path, tokyo, "secret.yaml")                     # outside tree/town
    write(d.parent, tokyo, "2026.yaml")                       # the town's own tariff
    outside = tariff_tests.run_file(write(d, TEST_FILE.replace(
        "tariff: tokyo-23ku/2026", "tariff: ../../../secret.yaml"), "outside.yaml"))
    assert [f.message for f in outside.findings if f.path == "tariff"] and \
        outside.findings[0].message.startswith(REFUSED) and outside.rows == []
    own = tariff_tests.run_file(write(d, TEST_FILE.replace(
        "tariff: tokyo-23ku/2026", "tariff: ../2026.yaml"), "own.yaml"))
    assert own.ok, own.report()
    assert tariff_tests.run_file(write(d, TEST_FILE, "id.yaml")).ok      # an id: as before
    write(d.parent, tokyo, "notes.txt")
    txt = tariff_tests.run_file(write(d, TEST_FILE.replace(
        "tariff: tokyo-23ku/2026", "tariff: ../notes.txt"), "txt.yaml"))
    assert txt.findings[0].message.startswith("`tariff` must name a tariff id or a .yaml file")


def national(tmp_path: Path, raw: bytes) -> Path:
    folder = tmp_path / "national"
    folder.mkdir(exist_ok=True)
    p = folder / "2025.yaml"
    p.write_bytes((tariffs_root() / "national" / "2025.yaml").read_bytes() + raw)
    return p


def test_check_reads_a_national_file_with_the_tariff_limits(tmp_path):
    assert check_file(national(tmp_path, b"")) == []
    cases = {b"\nnote: \xff\n": "the file is not UTF-8 text",
             b"\nx: &a 1\ny: *a\n": "YAML aliases",
             b"\n#" + b"#" * 1_100_000 + b"\n": "the file is larger than the limit"}
    for raw, message in cases.items():
        found = check_file(national(tmp_path, raw))
        assert [f.message for f in found if f.message.startswith(message)], (message, found)
