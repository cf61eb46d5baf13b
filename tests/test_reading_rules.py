"""The shared reading rules: located UTF-8 decoder, number grammar, CSV-injection, strict JSON."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.csvsafe import is_formula_like, neutralise_cell, neutralise_row
from gridgov.documents import load_json_text, load_toml_text
from gridgov.errors import InvalidInput
from gridgov.numbers import (
    MAX_INT,
    MIN_INT,
    ColumnKind,
    NumberError,
    is_number,
    is_plain_number,
    parse_int,
    parse_int_or_none,
    parse_number,
    type_column,
)
from gridgov.utf8 import decode_utf8, locate_utf8_error, open_utf8, read_utf8

# ---------------------------------------------------------------- UTF-8 decoder

_WHERE = re.compile(r"not UTF-8 text \(line (\d+), byte (\d+)\)")


def _where(exc: InvalidInput) -> tuple[int, int]:
    assert len(exc.errors) == 1
    m = _WHERE.search(str(exc.errors[0]))
    assert m, str(exc.errors[0])
    return int(m.group(1)), int(m.group(2))


def test_latin1_is_located() -> None:
    data = b"id,name\nC,Caf" + b"\xe9\n"
    with pytest.raises(InvalidInput) as info:
        decode_utf8(data, file="o.csv")
    assert str(info.value) == "o.csv: not UTF-8 text (line 2, byte 13)"


def test_utf16_gets_a_hint() -> None:
    with pytest.raises(InvalidInput, match=r"f.json: not UTF-8 text \(line 1, byte 0\): .*UTF-16"):
        decode_utf8("{}".encode("utf-16"), file="f.json")


def test_utf16_without_bom_is_refused_at_its_first_nul() -> None:
    with pytest.raises(InvalidInput, match=r"line 1, byte 1\): a NUL byte"):
        decode_utf8("id,name".encode("utf-16-le"), file="f.csv")


def test_gb18030_and_truncated_multibyte() -> None:
    with pytest.raises(InvalidInput) as info:
        decode_utf8("社区,网格\n".encode("gb18030"), file="g.csv")
    assert _where(info.value) == (1, 0)
    with pytest.raises(InvalidInput) as info:
        decode_utf8("a\nb\n社".encode()[:-1], file="t.csv")
    assert _where(info.value) == (3, 4)


def test_one_bom_is_dropped() -> None:
    assert decode_utf8(b"\xef\xbb\xbfid") == "id"
    assert decode_utf8(b"\xef\xbb\xbf\xef\xbb\xbfid") == "\ufeffid"


@given(st.text())
def test_utf8_text_decodes_to_itself(text: str) -> None:
    text = text.replace("\x00", "")
    data = text.encode()
    assert decode_utf8(data) == (text[1:] if text.startswith("\ufeff") else text)


@given(st.binary(max_size=64))
def test_error_points_at_the_first_bad_byte(data: bytes) -> None:
    try:
        text = decode_utf8(data)
    except InvalidInput as exc:
        line, byte = _where(exc)
        assert locate_utf8_error(data) == (line, byte)
        assert line == data.count(b"\n", 0, byte) + 1
        good = data[:byte].decode("utf-8")  # everything before it is text
        assert "\x00" not in good
        if data[byte] != 0:  # ... and the text cannot go on from it
            with pytest.raises(UnicodeDecodeError) as bad:
                data[byte:].decode("utf-8")
            assert bad.value.start == 0
    else:
        assert "\x00" not in text
        assert data.decode("utf-8-sig") == text


@given(st.binary(max_size=64), st.sampled_from([b"", b"\n", b"\r\n", b"a,b\r"]))
def test_streamed_lines_agree_with_whole_file(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, end: bytes
) -> None:
    p = tmp_path_factory.mktemp("u") / "f.csv"
    p.write_bytes(data + end)
    try:
        whole = read_utf8(p)
    except InvalidInput as exc:
        with pytest.raises(InvalidInput) as info, open_utf8(p) as fh:
            list(fh)
        assert str(info.value) == str(exc)
    else:
        with open_utf8(p) as fh:
            assert fh.read() == whole
        with open_utf8(p) as fh:
            assert list(csv.reader(fh)) == list(csv.reader(io.StringIO(whole, newline="")))


def test_stream_error_far_into_a_file(tmp_path: Path) -> None:
    p = tmp_path / "v.csv"
    p.write_bytes(b"a,b\n" + b"x,y\n" * 50_000 + b"\xff\n")
    with pytest.raises(InvalidInput) as info, open_utf8(p) as fh:
        for _ in fh:
            pass
    assert str(info.value) == f"{p}: not UTF-8 text (line 50002, byte 200004)"


# ---------------------------------------------------------------- number grammar


@pytest.mark.parametrize(
    "text",
    [
        "1_000",
        "４５０００",
        "٣٠٠٠",
        "nan",
        "inf",
        "Infinity",
        "0x10",
        "1,000",
        " 1",
        "1 ",
        "",
        "+",
        ".",
    ],
)
def test_not_numbers(text: str) -> None:
    assert not is_number(text)
    with pytest.raises(NumberError):
        parse_number(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("0", 0), ("-7", -7), ("+3", 3), ("1.5", 1.5), (".5", 0.5), ("5.", 5.0), ("1e3", 1000.0)],
)
def test_numbers(text: str, value: float) -> None:
    assert parse_number(text) == value
    assert type(parse_number(text)) is type(value)


def test_bounds() -> None:
    assert parse_number(str(MAX_INT)) == MAX_INT
    assert parse_number(str(MIN_INT)) == MIN_INT
    for text in (str(MAX_INT + 1), str(MIN_INT - 1), "1e400", "-1e400", "9" * 5000):
        with pytest.raises(NumberError):
            parse_number(text)
    assert parse_number("1e-400") == 0.0
    with pytest.raises(NumberError, match="whole number"):
        parse_int("2.5")


@given(st.one_of(st.integers().map(str), st.text(max_size=12)))
def test_parse_int_or_none_is_parse_int_or_none(text: str) -> None:
    """The readers' "a whole number or not" is parse_int's rule, never a looser one."""
    try:
        expected: int | None = parse_int(text)
    except NumberError:
        expected = None
    assert parse_int_or_none(text) == expected


@pytest.mark.parametrize("text", ["030100", "0351", "007", "-07", "00.5", "+8613800000000"])
def test_leading_zero_or_plus_is_not_plain(text: str) -> None:
    assert is_number(text) and not is_plain_number(text)


@given(st.integers(min_value=MIN_INT, max_value=MAX_INT))
def test_integers_round_trip(n: int) -> None:
    assert parse_number(str(n)) == n and is_plain_number(str(n))


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_round_trip(x: float) -> None:
    assert parse_number(repr(x)) == x and is_plain_number(repr(x))


@given(st.text(max_size=12))
def test_grammar_is_stricter_than_float(text: str) -> None:
    try:
        value = parse_number(text)
    except NumberError:
        return
    assert value == float(text)
    assert all(ch in "0123456789+-.eE" for ch in text)


def test_type_column() -> None:
    assert type_column(["030100", "030200"]) == (["030100", "030200"], [])
    assert type_column(["1", "", "2.5"]) == ([1, None, 2.5], [])
    assert type_column(["1", "x"]) == (["1", "x"], [])
    assert type_column(["1", "2"], ColumnKind.TEXT) == (["1", "2"], [])
    assert type_column(["007", " 5 ", "1_0", ""], ColumnKind.NUMBER) == (
        [7, 5, None, None],
        [(2, "not a number: '1_0'")],
    )


@given(st.lists(st.one_of(st.integers(-1000, 1000).map(str), st.text(max_size=4)), max_size=8))
def test_inferred_column_is_all_numbers_or_all_kept(cells: list[str]) -> None:
    values, errors = type_column(cells)
    assert not errors
    if all(isinstance(v, str | type(None)) for v in values):
        assert values == [c if c else None for c in cells]
    else:
        assert all(is_plain_number(c) for c in cells if c)


_HOSTILE = [
    *("0", "-0", "+0", "00", "007", "-07", "0.", "0.5", "00.5", ".5", "-.5", "+.5", "."),
    *("-", "+", "-.", "5.", "1e3", "1E-2", "1_000", "１２", "٣٠٠٠", "²", "nan", "NaN", "inf"),
    *("-inf", "Infinity", "1.2.3", "--1", "+-1", "1-", "1+"),
    *(" 5", "5 ", "\t5", "\n", "5\n6", "\u0660", "\u00a05"),
    *(str(MAX_INT), str(MIN_INT), str(MAX_INT + 1), str(MIN_INT - 1), "9" * 18, "9" * 19),
    *("-" + "9" * 18, "1" * 101, "0." + "1" * 98, "1" * 60 + ".5"),
]


@st.composite
def _spoiled(draw: st.DrawFn) -> str:
    """A plain number spoiled in one way, each way as likely: a leading zero, a sign
    (``+``, a second one, one inside), a second point, another script's digit or ``_``,
    an exponent, spaces or a newline, no digit at all, past 64 bits."""
    digits = str(draw(st.integers(0, 10**6)))
    sign = draw(st.sampled_from(["", "-"]))
    frac = draw(st.sampled_from(["", ".5", ".", ".25"]))
    at = draw(st.integers(0, len(digits)))
    pick = lambda *xs: draw(st.sampled_from(xs))  # noqa: E731
    way = draw(st.integers(0, 8))
    if way == 0:
        return sign + pick("0", "00", "000") + digits + frac
    if way == 1:
        return (
            pick("+", "--", "+-", "-+") + digits + frac
            if at % 2
            else digits[:at] + "-" + digits[at:]
        )
    if way == 2:
        return sign + digits + frac + pick(".", ".5", "..")
    if way == 3:
        return sign + digits[:at] + pick("٣", "５", "²", "_", "\u0660", "a") + digits[at:] + frac
    if way == 4:
        return sign + digits + frac + pick("e3", "E-2", "e", "e+1")
    if way == 5:
        return pick(" ", "\t", "\n", "") + sign + digits + frac + pick(" ", "\n", "\t\n")
    if way == 6:
        return pick("-", "+", ".", "-.", "+.")
    if way == 7:
        return sign + pick(str(MAX_INT + 1), str(MAX_INT), "9" * 19, "1" * 101, "nan", "inf")
    return sign + digits + frac


def _number_cells() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(_HOSTILE),
        _spoiled(),
        st.integers(MIN_INT * 4, MAX_INT * 4).map(str),
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
        st.text(alphabet="0123456789-+.eE_ \n", max_size=6),
        st.text(max_size=3),
        st.just(""),
    )


def _reference_column(
    cells: list[str], kind: ColumnKind
) -> tuple[list[int | float | str | None], list[tuple[int, str]]]:
    """The module docs' rules, one cell at a time (what the fast check must equal)."""
    if kind is ColumnKind.INFER:
        filled = [c for c in cells if c != ""]
        if not filled or not all(map(is_plain_number, filled)):
            return [c if c != "" else None for c in cells], []
        return [parse_number(c) if c != "" else None for c in cells], []
    values: list[int | float | str | None] = []
    errors: list[tuple[int, str]] = []
    for k, cell in enumerate(cells):
        text = cell.strip(" \t")
        if text == "":
            values.append(None)
            continue
        try:
            values.append(parse_number(text))
        except NumberError as exc:
            values.append(None)
            errors.append((k, str(exc)))
    return values, errors


def _typed(result: tuple[list[object], object]) -> tuple[list[tuple[type, object]], object]:
    values, errors = result
    return [(type(v), v) for v in values], errors  # 1 and 1.0 (and 0.0, -0.0) differ


_PLAIN_CELLS = st.one_of(
    st.integers(-(10**18) + 1, 10**18 - 1).map(str),
    st.decimals(-(10**6), 10**6, places=3, allow_nan=False).map(str),
    st.just(""),
)


@st.composite
def _columns_of_numbers(draw: st.DrawFn) -> list[str]:
    """Mostly numbers the fast check takes, with hostile cells put in at any place."""
    cells = draw(st.lists(_PLAIN_CELLS, min_size=1, max_size=10))
    for _ in range(draw(st.integers(0, 2))):
        odd = draw(st.one_of(_spoiled(), _number_cells()))
        cells.insert(draw(st.integers(1, len(cells))), odd)  # after a plain first cell
    return cells


@settings(max_examples=300)
@given(
    st.one_of(_columns_of_numbers(), st.lists(_number_cells(), max_size=12)),
    st.sampled_from([ColumnKind.INFER, ColumnKind.NUMBER]),
)
def test_type_column_fast_check_equals_the_cell_rules(cells: list[str], kind: ColumnKind) -> None:
    got = type_column(cells, kind)
    want = _reference_column(cells, kind)
    assert _typed(got) == _typed(want)
    assert [repr(v) for v in got[0]] == [repr(v) for v in want[0]]


@settings(max_examples=300)
@given(
    st.lists(_PLAIN_CELLS, min_size=1, max_size=6),
    _spoiled(),
    st.data(),
    st.sampled_from([ColumnKind.INFER, ColumnKind.NUMBER]),
)
def test_one_spoiled_cell_is_seen(
    cells: list[str], odd: str, data: st.DataObject, kind: ColumnKind
) -> None:
    cells.insert(data.draw(st.integers(1, len(cells))), odd)
    got = type_column(cells, kind)
    assert _typed(got) == _typed(_reference_column(cells, kind))


def test_type_column_fast_check_cases() -> None:
    assert type_column(["12", "", "-3", "0", "-0"]) == ([12, None, -3, 0, 0], [])
    assert type_column(["1.5", "2", ".5", "-0."]) == ([1.5, 2, 0.5, -0.0], [])
    for text in ("１２", "٣", "1_000", "007", "+1", "1e3", "nan", str(MAX_INT + 1), "5\n6"):
        got = type_column(["1", text])[0]
        assert got[0] == "1" or text == "1e3", text  # one odd cell: the column is text
    assert type_column(["1", "1e3"])[0] == [1, 1000.0]
    assert type_column(["007", "+5", "9" * 19], ColumnKind.NUMBER) == (
        [7, 5, None],
        [(2, f"number out of range (64-bit integer): {'9' * 19!r}")],
    )


# ---------------------------------------------------------------- CSV injection


@pytest.mark.parametrize(
    "cell", ["=cmd|' /C calc'!A0", "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "\x00=1", "-"]
)
def test_formulas_are_neutralised(cell: str) -> None:
    assert is_formula_like(cell)
    assert neutralise_cell(cell) == "'" + cell
    assert neutralise_cell(cell, raw=True) == cell


@pytest.mark.parametrize("cell", ["-5", "+8613800000000", "-1.5e3", "plain", "", "'=quoted", "a=b"])
def test_others_are_kept(cell: str) -> None:
    assert neutralise_cell(cell) == cell


@given(st.lists(st.one_of(st.text(max_size=6), st.integers(), st.floats(allow_nan=False))))
def test_neutralised_rows_are_safe(row: list[object]) -> None:
    out = neutralise_row(row)
    assert len(out) == len(row)
    for before, after in zip(row, out, strict=True):
        if isinstance(after, str):
            assert not is_formula_like(after)
            assert after in (before, "'" + str(before))
            assert neutralise_cell(after) == after  # idempotent
        else:
            assert after is before


# ---------------------------------------------------------------- strict JSON / TOML


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 200_000, "nested too deeply"),
        ('{"a": 1, "a": 2}', "appears twice"),
        ("[NaN]", "NaN"),
        ("[Infinity]", "Infinity"),
        ("[1e400]", "out of range"),
        ("[" + "1" * 5000 + "]", "longer than"),
        ("[9223372036854775808]", "out of range"),
        ("[1, 2", "Expecting"),
    ],
)
def test_strict_json(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as info:
        load_json_text(text, file="f.json")
    assert str(info.value).startswith("f.json")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a = inf", "inf"),
        ("a = -nan", "nan"),
        ("a = 99999999999999999999", "out of range"),
        ("a = " + "9" * 5000, "an integer longer than 4300 digits"),  # Python's digit limit
    ],
)
def test_strict_toml(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        load_toml_text(text, file="g.toml")
    assert load_toml_text("a = 1_000.5\nb = [1, 2]") == {"a": 1000.5, "b": [1, 2]}
