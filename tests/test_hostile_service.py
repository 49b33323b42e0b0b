"""Hostile request bodies to the service (docs/research/hostile-2026-11-30.md): the
service reads JSON with the library's one reader (engine.jsonread), so a body gets the
same limits and words as a household file on the command line, never Python's own
messages. All data is synthetic."""

from __future__ import annotations

import json

import pytest

from levyrules.serve import ServeConfig, create_app
from test_serve_support import call

APP = create_app(ServeConfig())
H = {"id": "H-1", "fiscal_year": 2025, "head": "p1",
     "persons": [{"id": "p1", "birth_date": "1980-01-01", "insured": [{"from": "2025-04-01"}],
                  "income": {"salary_revenue": 3_000_000}}]}
JSON = {"content-type": "application/json"}


def post(body: bytes, url: str = "/v1/assess?tariff=iwaki/2025"):
    return call(APP, "POST", url, content=body, headers=JSON)


@pytest.mark.parametrize("digits", [19, 4_000, 5_000])
def test_a_huge_integer_is_named_by_its_field_not_pythons_limit(digits):
    """A 5,000-digit amount gave Python's own message (`Exceeds the limit (4300 digits)
    … use sys.set_int_max_str_digits()`); 4,000 digits reached the household reader.
    Now, as on the command line, the field is named and the limit is the reader's."""
    body = json.dumps(H).replace("3000000", "9" * digits).encode()
    r = post(body)
    assert r.status_code == 400
    assert r.json()["detail"] == ("body.persons[0].income.salary_revenue: is a number of "
                                  "more than 18 digits")


def test_nesting_deeper_than_the_reader_takes_is_400_at_any_depth():
    """900 levels (under Python's recursion limit) went through to the household reader,
    200,000 were caught as RecursionError: now the reader's one limit (32) for both."""
    for depth in (33, 900, 200_000):
        data = dict(H, relief={"x": json.loads("[" * min(depth, 900) + "]" * min(depth, 900))})
        body = json.dumps(data).encode() if depth <= 900 else b"[" * depth
        r = post(body)
        assert r.status_code == 400 and "nested more than 32 deep" in r.json()["detail"]


def test_a_batch_line_gets_the_same_reading():
    lines = [json.dumps(H).replace("3000000", "9" * 5000).encode(),
             b'{"id": "H-2", "id": "H-3"}', json.dumps(H).encode()]
    r = call(APP, "POST", "/v1/batch?tariff=iwaki/2025", content=b"\n".join(lines) + b"\n",
             headers={"content-type": "application/x-ndjson"})
    out = [json.loads(x) for x in r.text.splitlines()]
    assert out[0]["problem"]["detail"] == ("line 1.persons[0].income.salary_revenue: is a "
                                           "number of more than 18 digits")
    assert "same key twice" in out[1]["problem"]["detail"]
    assert out[2]["assessment"]["total"] > 0


def test_a_bom_is_allowed_as_in_a_household_file():
    """A UTF-8 BOM before the body was 400 (`Unexpected UTF-8 BOM`) although the command
    line and the batch files take it."""
    r = post(b"\xef\xbb\xbf" + json.dumps(H).encode())
    assert r.status_code == 200, r.text


FORM = {"tariff": "iwaki/2025", "count": "1", "shown": "1", "p1_birth": "1980-01-01",
        "p1_join": "4", "p1_salary": "3000000"}


@pytest.mark.parametrize("changes,status", [
    ({"count": "²", "shown": "²"}, 422),          # NFKC: 2 persons, the second empty
    ({"shown": "፩"}, 200),                          # an Ethiopic digit: not a number
    ({"p1_join": "²"}, 200),                        # February
    ({"p1_salary": "፩"}, 422),
    ({"p1_birth": "", "p1_age": "፩"}, 422),
    ({"p1_birth": "", "p1_age": "9" * 5000}, 422),
    ({"count": "9" * 5000}, 200),
])
def test_the_shisan_form_takes_any_digits_without_a_500(changes, status):
    """str.isdigit() takes ² and ፩, which int() refuses, and 5,000 digits, which int()
    refuses too: the 試算 page answered 500 (ValueError) for a count, a 加入月, an age or
    an amount written so. Now such a field is a number 0-9 (full-width too) or the
    field's own message."""
    from urllib.parse import urlencode
    r = call(APP, "POST", "/", content=urlencode({**FORM, **changes}).encode(),
             headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == status, r.text[:300]
    assert r.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("length,status", [(b"\xb2", 400), (b"9" * 5000, 413),
                                           (b"0" * 30 + b"2", 422)])
def test_a_content_length_of_other_digits_or_5000_digits_is_not_a_500(length, status):
    """`²` (latin-1 0xB2) passed str.isdigit() and int() refused it; 5,000 digits, the same:
    500 from the app (a proxy in front may pass such a header on)."""
    import asyncio
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message):
        sent.append(message)
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": "/v1/assess",
             "raw_path": b"/v1/assess", "query_string": b"tariff=iwaki/2025",
             "root_path": "", "client": ("127.0.0.1", 1), "server": ("testserver", 80),
             "headers": [(b"content-type", b"application/json"), (b"content-length", length)]}
    asyncio.run(APP(scope, receive, send))
    assert sent[0]["status"] == status
