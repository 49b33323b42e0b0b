"""CSV tables read by pyarrow.csv (levyrules.batch.tablecsv) give exactly the rows, line
numbers and errors of the csv module reading (population.tables.csv_rows, the household
reader's): quoting, line endings, blank lines, the UTF-8 BOM, Shift_JIS, undecodable
bytes, records cut across blocks; and a synthetic city reads alike as CSV, Parquet and
JSON Lines. docs/population.md describes the tables."""

from __future__ import annotations

import csv
import io
import shutil

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from levyrules.errors import InputError
from levyrules.population import convert, runner, synth, tables as files

pa = pytest.importorskip("pyarrow")
pacsv = pytest.importorskip("pyarrow.csv")
pq = pytest.importorskip("pyarrow.parquet")

from levyrules.batch import tablecsv  # noqa: E402

TARIFF = "iwaki/2025"
HEADER = ["household_id", "date", "head"]      # the head_changes table


def outcome(path, encoding=None):
    """(line, cells) of every row the csv module reads, or its error."""
    try:
        names, rows = files.csv_rows(path, "head_changes", encoding)
        return names, list(rows)
    except InputError as e:
        return str(e)


def arrow_outcome(path, encoding=None, block=tablecsv.BLOCK):
    """The same from the blocks tablecsv reads, `block` bytes at a time."""
    saved, tablecsv.BLOCK = tablecsv.BLOCK, block
    try:
        names, blocks = tablecsv.csv_batches(path, "head_changes", encoding)
        rows = []
        for table, lines in blocks:
            assert table.column_names == names and len(lines) == table.num_rows
            cols = [c.to_pylist() for c in table.columns]
            rows += [(int(n), list(v)) for n, v in zip(lines, zip(*cols))]
        return names, rows
    except InputError as e:
        return str(e)
    finally:
        tablecsv.BLOCK = saved


CELL = st.text(st.sampled_from(list('aZ09-:. ,"\n\rあ漢')), max_size=6)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.lists(CELL, min_size=3, max_size=3) | st.lists(CELL, max_size=4),
                     max_size=8),
       quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
       ending=st.sampled_from(["\n", "\r\n", "\r"]), blank=st.sets(st.integers(0, 8)),
       bom=st.booleans(), tail=st.booleans(), sjis=st.booleans(),
       block=st.sampled_from([1, 5, 17, 64, tablecsv.BLOCK]))
def test_written_csv_reads_as_the_csv_module_reads_it(tmp_path_factory, rows, quoting,
                                                      ending, blank, bom, tail, sjis, block):
    """Whatever cells (quotes, commas, line breaks inside them), line endings, blank
    lines, BOM, missing last line end and block size: the same rows on the same lines,
    or the same error (a row of the wrong width, say)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator=ending, quoting=quoting)
    w.writerow(HEADER)
    for i, r in enumerate(rows):
        if i in blank:
            out.write(ending)
        w.writerow(r)
    text = out.getvalue()
    if not tail and text.endswith(ending):
        text = text[:-len(ending)]
    enc = "shift_jis" if sjis else None
    data = text.encode(enc or "utf-8")
    if bom and not sjis:
        data = b"\xef\xbb\xbf" + data
    path = tmp_path_factory.mktemp("q") / "head_changes.csv"
    path.write_bytes(data)
    assert arrow_outcome(path, enc, block) == outcome(path, enc)


@settings(max_examples=300, deadline=None)
@given(body=st.text(st.sampled_from(list('a,"\n\r x')), max_size=40),
       block=st.sampled_from([1, 3, 8, tablecsv.BLOCK]))
def test_any_text_reads_as_the_csv_module_reads_it(tmp_path_factory, body, block):
    """Hostile text (stray quotes, a quote left open, text after a closing quote, lone
    CRs): where pyarrow might read it otherwise the csv module reads it, so the rows and
    the errors are its own."""
    path = tmp_path_factory.mktemp("h") / "head_changes.csv"
    path.write_bytes(("household_id,date,head\n" + body).encode())
    assert arrow_outcome(path, None, block) == outcome(path, None)


@pytest.mark.parametrize("enc", sorted(tablecsv.ASCII_SAFE))
def test_ascii_blocks_are_taken_undecoded_in_every_encoding_read_so(enc):
    """A block of ASCII bytes goes to pyarrow as it is (tablecsv._parse): in each encoding
    it reads by pyarrow, every ASCII byte is that character, as the csv module reads it."""
    ascii_bytes = bytes(range(1, 128))
    assert ascii_bytes.decode(enc).encode("utf-8") == ascii_bytes


@pytest.mark.parametrize("enc,bad", [(None, b"\xff"), ("shift_jis", b"\x82,"),
                                     ("shift_jis", b"\xa0")])
def test_an_undecodable_byte_is_one_error_naming_the_file_never_the_bytes(
        tmp_path, enc, bad):
    good = "H-1,2025-05-01,p1\nH-2,2025-06-01,漢\n".encode(enc or "utf-8")
    path = tmp_path / "head_changes.csv"
    path.write_bytes(b"household_id,date,head\n" + good * 3 + b"H-3,2025-07-01,p" + bad
                     + b"\n" + good)
    expected = outcome(path, enc)
    assert isinstance(expected, str) and "head_changes.csv: not valid" in expected
    assert arrow_outcome(path, enc) == expected
    assert arrow_outcome(path, enc, block=20) == expected
    assert "\\x" not in expected and "H-3" not in expected


def test_a_missing_column_and_an_empty_file_are_the_csv_module_errors(tmp_path):
    path = tmp_path / "head_changes.csv"
    for text in (b"household_id,head\nH-1,p1\n", b"", b"\xef\xbb\xbf\n\n"):
        path.write_bytes(text)
        expected = outcome(path)
        assert isinstance(expected, str)
        assert arrow_outcome(path) == expected


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """A synthetic city as JSON Lines, Parquet, CSV (UTF-8 with a BOM) and Shift_JIS CSV."""
    base = tmp_path_factory.mktemp("city")
    jsonl = synth.write(base / "jsonl", 400, 2025, 7, "jsonl")
    assert convert.convert(jsonl, base / "pq", "parquet") == (400, 0)
    assert convert.convert(jsonl, base / "csv", "csv") == (400, 0)
    assert convert.convert(jsonl, base / "sjis", "csv", out_encoding="shift_jis") == (400, 0)
    for f in (base / "csv").iterdir():
        f.write_bytes(b"\xef\xbb\xbf" + f.read_bytes())
    return base


def test_the_city_is_read_by_pyarrow_block_by_block(city, monkeypatch):
    """No block of the synthetic city falls back on the csv module, records cut across
    blocks of 4 KiB included."""
    from levyrules.batch.tables import read_population

    def refuse(*a, **k):
        raise AssertionError("read by the csv module")
    monkeypatch.setattr(tablecsv, "_slow", refuse)
    monkeypatch.setattr(tablecsv, "BLOCK", 4096)
    for folder, enc in ((city / "csv", None), (city / "sjis", "shift_jis")):
        assert sum(r.population.size for r in read_population(folder, 2025, encoding=enc,
                                                              chunk=150)) == 400


def test_quoted_cells_line_ends_and_blank_lines_are_read_by_pyarrow(tmp_path, monkeypatch):
    """Quoting as csv.writer writes it (commas, doubled quotes, CR LF inside a cell), CR LF
    line ends, blank lines and a BOM are read by pyarrow, on the csv module's lines."""
    def refuse(*a, **k):
        raise AssertionError("read by the csv module")
    path = tmp_path / "head_changes.csv"
    path.write_bytes(b'\xef\xbb\xbf"household_id","date","head"\r\n\r\n"H-1","0,072",""\r\n'
                     b'H-2,"a ""b""","x\r\ny"\r\n\r\nH-3,,007\r\n')
    expected = outcome(path)
    monkeypatch.setattr(tablecsv, "_slow", refuse)
    assert arrow_outcome(path) == expected == (HEADER, [
        (3, ["H-1", "0,072", ""]), (5, ["H-2", 'a "b"', "x\r\ny"]), (7, ["H-3", "", "007"])])


def rejects_of(path):
    with open(path, encoding="utf-8", newline="") as f:
        return [(r["household_id"], r["field"], r["message"]) for r in csv.DictReader(f)]


def test_json_lines_parquet_and_csv_of_one_city_give_the_same_files(city, tmp_path,
                                                                    monkeypatch):
    monkeypatch.setattr(tablecsv, "BLOCK", 8192)
    results = []
    for src, enc in ((city / "jsonl" / "population.jsonl", None), (city / "pq", None),
                     (city / "csv", None), (city / "sjis", "shift_jis")):
        out = tmp_path / f"r-{src.name}.csv"
        s = runner.run(src, TARIFF, out, encoding=enc)
        assert (s.assessed, s.rejected) == (400, 0)
        results.append(out.read_bytes())
    assert all(r == results[0] for r in results)


EDITS = [("persons", 3, "birth_date", "1979-02-30"), ("persons", 5, "salary_revenue", "0,072"),
         ("persons", 9, "salary_revenue", "0072"), ("persons", 12, "person_id", "p 1"),
         ("insured_periods", 7, "from", "2025-1-01"), ("households", 20, "head", ""),
         ("households", 30, "fiscal_year", '20"25'), ("persons", 40, "business_income", "1\n2")]


def test_bad_cells_reject_alike_from_csv_and_from_parquet_text(city, tmp_path):
    """The same bad cells (a 30 February, ``0,072``, a line break in a cell...) in CSV
    and in Parquet text columns: the same assessments, the same rejects in the same order
    (their sources name a line of the one, a row of the other)."""
    folder = tmp_path / "csv"
    shutil.copytree(city / "csv", folder)
    for table, row, column, value in EDITS:
        path = folder / f"{table}.csv"
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
        rows[row][rows[0].index(column)] = value
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
    (tmp_path / "pq").mkdir()
    for path in folder.iterdir():
        t = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in next(csv.reader(open(path)))},
            strings_can_be_null=False))
        pq.write_table(t, tmp_path / "pq" / f"{path.stem}.parquet")
    got = []
    for src in (folder, tmp_path / "pq"):
        s = runner.run(src, TARIFF, tmp_path / f"r-{src.name}.csv")
        assert s.rejected == 7          # one per edit; "0072" is 72 yen (digits only)
        got.append(((tmp_path / f"r-{src.name}.csv").read_bytes(),
                    rejects_of(tmp_path / f"r-{src.name}.rejects.csv")))
    assert got[0] == got[1]
    for value in ("1979-02-30", "0,072", "2025-1-01", '20"25', "1\n2"):
        assert value not in (tmp_path / "r-csv.rejects.csv").read_text()
