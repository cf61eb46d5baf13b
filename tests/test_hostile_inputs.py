"""Regression tests for issue 12: each is one of its reproductions, run through the CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from gridgov.cli import main
from gridgov.errors import InvalidInput
from gridgov.org import read_csv_text, write_csv_text

ORG = "id,parent,level,name,postcode,phone,households\nC,,county,County,030100,0351,\n"
ORG += "T,C,township,=cmd|' /C calc'!A0,030200,+8613800000000,12\n"


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert "Traceback" not in captured.err + captured.out
    assert lines, captured
    return lines[0]


# ---- data kept exactly as given


def test_text_column_keeps_leading_zeros() -> None:
    tree = read_csv_text(ORG)
    assert tree["C"].attributes["postcode"] == "030100"
    assert tree["C"].attributes["phone"] == "0351"
    assert tree["T"].attributes["phone"] == "+8613800000000"
    assert tree["T"].attributes["households"] == 12
    quoted = read_csv_text('id,parent,level,code\nC,,county,"007"\n')
    assert quoted["C"].attributes["code"] == "007"
    assert read_csv_text(write_csv_text(tree, raw=True)) == tree


def test_a_column_can_be_declared_text() -> None:
    text = "id,parent,level,households,zip\nC,,county,12,100\n"
    tree = read_csv_text(text, text_columns=["households", "zip"])
    assert tree["C"].attributes == {"households": "12", "zip": "100"}
    assert read_csv_text(text)["C"].attributes == {"households": 12, "zip": 100}


def test_text_option_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "o.csv"
    f.write_text("id,parent,level,zip\nC,,county,100\n")
    assert main(["org", "export", str(f), "--to", "json", "--text", "zip"]) == 0
    assert json.loads(capsys.readouterr().out)["units"][0]["attributes"] == {"zip": "100"}


@pytest.mark.parametrize("cell", ["1_000", "４５０００", "٣٠٠٠", "nan", "inf", "1e999"])
def test_numbers_outside_the_grammar_are_errors_at_their_row(cell: str) -> None:
    with pytest.raises(InvalidInput) as info:
        read_csv_text(
            f"id,parent,level,households\nC,,county,1\nT,C,township,{cell}\n", file="o.csv"
        )
    assert str(info.value.errors[0]).startswith("o.csv:3: households: ")
    # not declared numeric: the column is text, kept exactly
    tree = read_csv_text(f"id,parent,level,size\nC,,county,1\nT,C,township,{cell}\n")
    assert tree["T"].attributes["size"] == cell
    assert tree["C"].attributes["size"] == "1"


# ---- errors are one line


def test_latin1_json_to_org_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "x.json"
    f.write_bytes(
        '{"levels": ["county"], "units": [{"id": "C", "name": "Café"}]}'.encode("latin-1")
    )
    assert main(["org", "validate", str(f)]) == 1
    assert _one_error_line(capsys) == f"gridgov: error: {f}: not UTF-8 text (line 1, byte 57)"


def test_deep_json_to_org_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "x.json"
    f.write_text("[" * 200_000)
    assert main(["org", "validate", str(f)]) == 1
    assert _one_error_line(capsys) == f"gridgov: error: {f}: not valid JSON: nested too deeply"


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16", "gb18030"])
def test_non_utf8_roster_to_roster_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str
) -> None:
    from .duty.test_curtois import TINY

    inst = tmp_path / "tiny.txt"
    inst.write_text(TINY)
    ros = tmp_path / "r.csv"
    ros.write_bytes("employee,day,shift\nAé社,0,D\n".encode(encoding, errors="replace"))
    assert main(["roster", "check", str(inst), str(ros)]) == 1
    assert _one_error_line(capsys).startswith(f"gridgov: error: {ros}: not UTF-8 text (line ")


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_non_utf8_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str) -> None:
    f = tmp_path / f"p{suffix}"
    f.write_bytes("# é\n".encode("utf-16"))
    assert main(["roster", "check", str(f), str(f)]) == 1
    line = _one_error_line(capsys)
    assert line.startswith(f"gridgov: error: {f}: not UTF-8 text (line 1, byte 0): ")
    assert "UTF-16" in line


def test_non_utf8_curtois(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "i.txt"
    f.write_bytes(b"# \xff\n")
    assert main(["roster", "check", str(f), str(f), "--format", "curtois"]) == 1
    assert _one_error_line(capsys) == f"gridgov: error: {f}: not UTF-8 text (line 1, byte 2)"


def test_non_utf8_graphml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "o.graphml"
    f.write_bytes(b"<?xml version='1.0' encoding='latin-1'?>\n<graphml>\xe9</graphml>")
    assert main(["org", "validate", str(f)]) == 1
    assert _one_error_line(capsys) == f"gridgov: error: {f}: not UTF-8 text (line 2, byte 50)"


def test_org_validate_errors_have_the_prefix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "o.csv"
    f.write_text("id,parent,level\nC,,nowhere\n")
    assert main(["org", "validate", str(f)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"gridgov: error: {f}:2: level: ")


# ---- output that can hurt its reader


def test_org_export_csv_neutralises_formulas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "o.csv"
    f.write_text(ORG)
    assert main(["org", "export", str(f), "--to", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[1]["name"] == "'=cmd|' /C calc'!A0"
    assert rows[1]["phone"] == "+8613800000000"  # a number to a spreadsheet, not a formula
    assert main(["org", "export", str(f), "--to", "csv", "--raw"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[1]["name"] == "=cmd|' /C calc'!A0"


def test_org_rollup_csv_neutralises_formulas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "o.csv"
    f.write_text("id,parent,level,households\n@SUM(A1),,county,3\n-2+3,@SUM(A1),township,4\n")
    assert main(["org", "rollup", str(f), "--sum", "households", "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[1:] == [["'@SUM(A1)", "", "county", "7"], ["'-2+3", "", "township", "4"]]
    assert main(["org", "rollup", str(f), "--sum", "households", "--format", "csv", "--raw"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[1][0] == "@SUM(A1)"


def test_roster_export_csv_neutralises_formulas(tmp_path: Path) -> None:
    problem = {
        "horizon": {"start": "2026-12-01", "days": 1},
        "shifts": [{"id": "D", "minutes": 480, "start": "08:00"}],
        "posts": [{"id": "K1", "name": '=HYPERLINK("http://x")', "needs": [{"shift": "D"}]}],
        "resources": [{"id": "t1", "name": "+cmd|' /C calc'!A0"}],
    }
    pf = tmp_path / "p.json"
    pf.write_text(json.dumps(problem))
    rf = tmp_path / "r.csv"
    rf.write_text("employee,day,shift,post\nt1,0,D,K1\n")
    out = tmp_path / "out.csv"
    assert main(["roster", "export", str(pf), str(rf), "--to", "csv", "--out", str(out)]) == 0
    row = next(csv.DictReader(io.StringIO(out.read_text())))
    assert row["name"] == "'+cmd|' /C calc'!A0"
    assert row["post_name"] == '\'=HYPERLINK("http://x")'
    args = ["roster", "export", str(pf), str(rf), "--to", "csv", "--out", str(out), "--raw"]
    assert main(args) == 0
    row = next(csv.DictReader(io.StringIO(out.read_text())))
    assert row["name"] == "+cmd|' /C calc'!A0"


# ---- CSV records


def test_unterminated_quote_says_so() -> None:
    with pytest.raises(InvalidInput) as info:
        read_csv_text('id,parent,level,name\nC,,county,"County\nT,C,township,T\n', file="o.csv")
    assert [str(e) for e in info.value.errors] == [
        "o.csv:2: unterminated quoted field starting at row 2"
    ]


def test_header_only_org_csv_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "o.csv"
    f.write_text("id,parent,level,name\n")
    assert main(["org", "validate", str(f)]) == 1
    assert _one_error_line(capsys) == (
        f"gridgov: error: {f}:2: no units: the file has a header row only"
    )


def test_roster_csv_with_a_column_twice(tmp_path: Path) -> None:
    from gridgov.duty.formats.roster_csv import parse_roster_csv

    with pytest.raises(InvalidInput, match=r"r\.csv:1: day: column appears twice"):
        parse_roster_csv("employee,day,shift,day\nA,0,D,1\n", file="r.csv")
    with pytest.raises(InvalidInput, match="unterminated quoted field starting at row 3"):
        parse_roster_csv('employee,day,shift\nA,0,D\n"B,1,D\n', file="r.csv")
    with pytest.raises(InvalidInput, match=r"r\.csv:2: field longer than 131072 characters"):
        parse_roster_csv(f"employee,day,shift\n{'x' * 200_000},0,D\n", file="r.csv")
    with pytest.raises(InvalidInput, match="day: expected a day index"):
        parse_roster_csv("employee,day,shift\nA,٣,D\n", file="r.csv")


def test_roster_errors_are_capped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from .duty.test_curtois import TINY

    inst = tmp_path / "tiny.txt"
    inst.write_text(TINY)
    ros = tmp_path / "r.csv"
    ros.write_text("employee,day,shift\n" + "A,x,D\n" * 600)
    assert main(["roster", "check", str(inst), str(ros)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 101
    assert err[-1] == "gridgov: error: ... and 500 more errors"


def test_solve_then_check_a_native_problem_with_several_posts(tmp_path: Path) -> None:
    problem = {
        "horizon": {"start": "2026-12-01", "days": 2},
        "shifts": [{"id": "D", "minutes": 480, "start": "08:00"}],
        "posts": [{"id": p, "needs": [{"shift": "D"}]} for p in ("K1", "K2")],
        "resources": [{"id": f"t{i}"} for i in range(4)],
    }
    pf = tmp_path / "p.json"
    pf.write_text(json.dumps(problem))
    out = tmp_path / "r.csv"
    args = ["roster", "solve", str(pf), "--time-limit", "0.3", "--seed", "1", "--out", str(out)]
    assert main(args) == 0
    assert out.read_text().splitlines()[0] == "employee,day,shift,post"
    assert main(["roster", "check", str(pf), str(out)]) == 0


# ---- other tracebacks


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("timezone", "Mars/Olympus", "unknown time zone 'Mars/Olympus'"),
        ("timezone", "../../etc/passwd", "unknown time zone"),
        ("days", 10**7, "'days' must be <= 3660"),
    ],
)
def test_horizon_values_are_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str, value: object, message: str
) -> None:
    problem = {
        "horizon": {"start": "2026-12-01", "days": 3, key: value},
        "shifts": [{"id": "D", "minutes": 480, "start": "08:00"}],
        "posts": [{"id": "K1", "needs": [{"shift": "D"}]}],
        "resources": [{"id": "t1"}],
    }
    pf = tmp_path / "p.json"
    pf.write_text(json.dumps(problem))
    assert main(["roster", "check", str(pf), str(pf)]) == 1
    line = _one_error_line(capsys)
    assert line.startswith(f"gridgov: error: {pf}: $.horizon: ") and message in line


_GRAPHML = '<?xml version="1.0" encoding="UTF-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">{}</graphml>'
_LEVEL_KEY = '<key id="l" for="node" attr.name="level" attr.type="string"/>'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '<key id="k" for="node" attr.name="party.kind" attr.type="int"/>'
            + _LEVEL_KEY
            + '<graph edgedefault="directed"><node id="C"><data key="l">county</data>'
            '<data key="k">5</data></node></graph>',
            "kind must be text",
        ),
        (
            '<key id="n" for="node" attr.name="name" attr.type="int"/>'
            + _LEVEL_KEY
            + '<graph edgedefault="directed"><node id="C"><data key="l">county</data>'
            '<data key="n">007</data></node></graph>',
            "node 'C': name must be text, got 7",  # never the name '7'
        ),
        (
            '<key id="l" for="node" attr.name="level" attr.type="boolean"/>'
            '<graph edgedefault="directed"><node id="C"><data key="l">true</data></node></graph>',
            "node 'C': level must be text, got True",
        ),
        (
            '<key id="g" for="graph" attr.name="levels" attr.type="string"/>'
            + _LEVEL_KEY
            + '<graph edgedefault="directed"><data key="g">a|a</data>'
            '<node id="C"><data key="l">a</data></node></graph>',
            "level names repeat",
        ),
        (
            '<key id="x" for="node" attr.name="attr.h" attr.type="double"/>'
            + _LEVEL_KEY
            + '<graph edgedefault="directed"><node id="C"><data key="l">county</data>'
            '<data key="x">NaN</data></node></graph>',
            "must be a finite number",
        ),
    ],
)
def test_hostile_graphml_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, message: str
) -> None:
    f = tmp_path / "o.graphml"
    f.write_text(_GRAPHML.format(body))
    assert main(["org", "validate", str(f)]) == 1
    line = _one_error_line(capsys)
    assert line.startswith(f"gridgov: error: {f}: ") and message in line


def test_a_bar_in_a_level_name_survives_graphml(tmp_path: Path) -> None:
    from gridgov.org import read_graphml, write_graphml
    from gridgov.org.levels import Levels

    tree = read_csv_text(
        "id,parent,level,name\nC,,county|seat,C\nT,C,town|ship,T\n",
        levels=Levels(("county|seat", "town|ship")),
    )
    write_graphml(tree, tmp_path / "t.graphml")
    assert read_graphml(tmp_path / "t.graphml") == tree


def test_visits_are_read_through_the_located_decoder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gridgov.sweep.visit_format import read_visits

    f = tmp_path / "v.csv"
    f.write_bytes(
        b"id,sweep,household,at,visitor,outcome\nv1,S,h1,2020-02-10T09:30,Caf\xe9,verified\n"
    )
    with pytest.raises(InvalidInput) as info:
        read_visits(f)
    assert str(info.value) == f"{f}: not UTF-8 text (line 2, byte 66)"


# ---- non-finite numbers in every JSON a user gives (json.loads takes NaN and Infinity)

_ORG_DIR = "id,parent,level,name\nC,,county,C\nT,C,township,T\nB,T,building,B\nh1,B,household,h1\n"
_HH = "id,building,floor,occupancy\nh1,B,1,permanent\n"


def _visit_line(**extra: str) -> str:
    fields = ['"id": "v1"', '"sweep": "S"', '"household": "h1"']
    fields += ['"at": "2020-02-10T09:30:00+08:00"', '"visitor": "w1"', '"outcome": "verified"']
    fields += [f'"{k}": {v}' for k, v in extra.items()]
    return "{" + ", ".join(fields) + "}\n"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("NaN", "not valid JSON: NaN is not a number gridgov reads"),
        ("Infinity", "not valid JSON: Infinity is not a number gridgov reads"),
        ("-Infinity", "not valid JSON: -Infinity is not a number gridgov reads"),
        ("1e999", "not valid JSON: number out of range: 1e999"),
        ("9" * 5000, "not valid JSON: integer longer than"),
    ],
)
def test_non_finite_numbers_in_visit_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, message: str
) -> None:
    org = tmp_path / "o.csv"
    org.write_text(_ORG_DIR)
    hh = tmp_path / "hh.csv"
    hh.write_text(_HH)
    visits = tmp_path / "v.jsonl"
    visits.write_text(_visit_line() + _visit_line(persons_seen=value).replace("v1", "v2", 1))
    args = ["sweep", "coverage", "--org", str(org), "--households", str(hh)]
    assert main([*args, "--visits", str(visits), "--sweep", "S"]) == 1
    assert _one_error_line(capsys).startswith(f"gridgov: error: {visits}:2: {message}")


def test_a_key_twice_in_a_visit_line(tmp_path: Path) -> None:
    from gridgov.sweep.visit_format import read_visits

    f = tmp_path / "v.jsonl"
    f.write_text(_visit_line(outcome='"refused"'))
    with pytest.raises(InvalidInput) as info:
        read_visits(f)
    assert str(info.value) == f"{f}:1: not valid JSON: key 'outcome' appears twice in one object"


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1e999"])
def test_non_finite_numbers_in_residents_lines(value: str) -> None:
    from gridgov.sweep.residents_io import read_residents_text

    text = '{"id": "r1", "household": "h1"}\n{"id": "r2", "household": "h1", "x": ' + value + "}\n"
    with pytest.raises(InvalidInput) as info:
        read_residents_text(text, file="r.jsonl")
    assert str(info.value.errors[0]).startswith("r.jsonl:2: not valid JSON: ")


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_numbers_in_org_and_problem_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    org = tmp_path / "o.json"
    org.write_text(
        '{"levels": ["county"], "units": [{"id": "C", "level": "county", "name": "C",'
        ' "parent": null, "attributes": {"households": ' + value + "}}]}"
    )
    assert main(["org", "validate", str(org)]) == 1
    assert _one_error_line(capsys).startswith(f"gridgov: error: {org}: not valid JSON: ")
    problem = tmp_path / "p.json"
    problem.write_text(
        '{"horizon": {"start": "2026-12-01", "days": 1}, "shifts": [{"id": "D", "minutes": '
        + value
        + ', "start": "08:00"}], "posts": [], "resources": []}'
    )
    assert main(["roster", "check", str(problem), str(problem)]) == 1
    assert _one_error_line(capsys).startswith(f"gridgov: error: {problem}: not valid JSON: ")


@pytest.mark.parametrize("value", ["inf", "-inf", "nan"])
def test_non_finite_numbers_in_gridgov_toml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    assert main(["init", str(tmp_path)]) == 0
    config = tmp_path / "gridgov.toml"
    text = config.read_text(encoding="utf-8").replace("retry_base = 1.0", f"retry_base = {value}")
    assert f"retry_base = {value}" in text
    config.write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert main(["notify", "status", "-w", str(tmp_path)]) == 1
    line = _one_error_line(capsys)
    assert line.startswith(f"gridgov: error: {config}: notify.retry_base: ") and value in line


def test_non_finite_numbers_in_graphml_json_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "o.graphml"
    f.write_text(
        _GRAPHML.format(
            '<key id="g" for="graph" attr.name="levels" attr.type="string"/>'
            '<key id="r" for="graph" attr.name="relations" attr.type="string"/>'
            + _LEVEL_KEY
            + '<graph edgedefault="directed"><data key="g">["county"]</data>'
            '<data key="r">{"central_households": [], "pairings": NaN}</data>'
            '<node id="C"><data key="l">county</data></node></graph>'
        )
    )
    assert main(["org", "validate", str(f)]) == 1
    line = _one_error_line(capsys)
    assert line.startswith(f"gridgov: error: {f}: relations: not valid JSON: NaN")


# ---- households: a basement is a floor


@pytest.mark.parametrize("engine", ["python", "columnar"])
def test_a_basement_floor_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    from gridgov.sweep.csv_io import read_households

    org = tmp_path / "o.csv"
    org.write_text(_ORG_DIR)
    hh = tmp_path / "hh.csv"
    hh.write_text("id,building,floor,occupancy\nh1,B,-1,permanent\nh2,B,-2,rental\nh3,B,0,\n")
    assert [h.floor for h in read_households(hh)] == [-1, -2, 0]
    visits = tmp_path / "v.csv"
    visits.write_text(
        "id,sweep,household,at,visitor,outcome\nv1,S,h1,2020-02-10T09:30,w1,verified\n"
    )
    monkeypatch.setenv("GRIDGOV_ENGINE", engine)
    args = ["sweep", "coverage", "--org", str(org), "--households", str(hh), "--visits"]
    assert main([*args, str(visits), "--sweep", "S", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["unit_id"] == "C" and rows[0]["target"] == "3" and rows[0]["reached"] == "1"


@pytest.mark.parametrize("cell", ["1_000", "٣", "1.5", "x", "9" * 30])
def test_a_floor_outside_the_number_grammar_is_an_error(tmp_path: Path, cell: str) -> None:
    from gridgov.sweep.csv_io import read_households

    hh = tmp_path / "hh.csv"
    hh.write_text(f"id,building,floor,occupancy\nh1,B,1,\nh2,B,{cell},\n")
    with pytest.raises(InvalidInput) as info:
        read_households(hh)
    assert str(info.value).startswith(f"{hh}:3: floor: not a whole number")


# ---- roster publish: nothing empty, malformed or cut short is published or announced

_PUB_PROBLEM = {
    "horizon": {"start": "2026-12-01", "days": 3},
    "shifts": [{"id": "D", "minutes": 480, "start": "08:00"}],
    "posts": [{"id": p, "needs": [{"shift": "D", "min": 1}]} for p in ("K1", "K2")],
    "resources": [{"id": f"t{i}"} for i in range(2)],
}
_FULL = "employee,day,shift,post\n" + "".join(f"t0,{d},D,K1\nt1,{d},D,K2\n" for d in range(3))


def _publish_ws(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    ws = tmp_path / "ws"
    assert main(["init", str(ws)]) == 0
    capsys.readouterr()
    return ws


def _nothing_published(ws: Path) -> bool:
    from gridgov.workspace import Workspace

    store = Workspace.load(ws).open_store()
    try:
        return store.roster_versions("R1") == [] and list(store.deliveries()) == []
    finally:
        store.close()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("r.csv", "", ":1: empty file: no header row, nothing to publish"),
        ("r.csv", "employee,day,shift,post\n", ":2: no rows: the file has a header row only"),
        ("r.csv", "employee,day,shift,post\nt0,0,D,K1\nt1,0\n", ":3: expected 4 fields, found 2"),
        (
            "r.csv",
            "employee,day,shift,post\nt0,0,D,K1\nt1,0,D,K",
            ":3: the last line has no line end",
        ),
        ("r.csv", 'employee,day,shift,post\nt0,0,D,"K1\n', ":2: unterminated quoted field"),
        ("r.csv", "employee,day,shift,day\nt0,0,D,1\n", ":1: day: column appears twice"),
        ("r.json", "[]", ": an empty roster document: nothing to publish"),
        ("r.json", '{"assignments": []}', ": an empty roster document: nothing to publish"),
    ],
)
def test_roster_publish_refuses_an_empty_or_cut_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: str, message: str
) -> None:
    ws = _publish_ws(tmp_path, capsys)
    f = tmp_path / name
    f.write_text(content, encoding="utf-8")
    assert main(["roster", "publish", str(f), "--id", "R1", "-w", str(ws)]) == 1
    assert _one_error_line(capsys).startswith(f"gridgov: error: {f}{message}")
    assert _nothing_published(ws)
    assert (
        not (ws / "events.log").exists()
        or "roster-published" not in (ws / "events.log").read_text()
    )


def test_roster_publish_a_last_line_without_line_end_when_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = _publish_ws(tmp_path, capsys)
    f = tmp_path / "r.csv"
    f.write_text("post,shift,team\nP1,2022-04-01T08:00,T3", encoding="utf-8")
    args = ["roster", "publish", str(f), "--id", "R1", "-w", str(ws), "--allow-partial"]
    assert main(args) == 0
    assert "roster R1 version 1 stored as published" in capsys.readouterr().out


def test_roster_publish_refuses_a_roster_that_does_not_cover_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = _publish_ws(tmp_path, capsys)
    pf = tmp_path / "p.json"
    pf.write_text(json.dumps(_PUB_PROBLEM))
    cut = tmp_path / "cut.csv"
    cut.write_text("employee,day,shift,post\nt0,0,D,K1\nt1,0,D,K2\nt0,1,D,K1\n")
    args = ["roster", "publish", str(cut), "--id", "R1", "-w", str(ws), "--problem", str(pf)]
    assert main(args) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"gridgov: error: {cut}: not a complete roster of the problem: no one on duty on 1 of"
        " the 3 days that need staff (day 2 of 0..2) (publish with --allow-partial if that is"
        " meant)"
    ]
    assert _nothing_published(ws)
    lost = tmp_path / "lost.csv"
    lost.write_text("employee,day,shift,post\n" + "".join(f"t0,{d},D,K1\n" for d in range(3)))
    assert main(["roster", "publish", str(lost), *args[3:]]) == 1
    assert "no one on duty at 1 posts that need staff ('K2')" in _one_error_line(capsys)
    bad = tmp_path / "bad.csv"
    bad.write_text(_FULL + "t9,5,D,K7\n")
    assert main(["roster", "publish", str(bad), *args[3:]]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"gridgov: error: {bad}:8: resource: unknown resource 't9'"
    assert _nothing_published(ws)
    assert main([*args, "--allow-partial"]) == 0
    assert "version 1 stored as published" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"employee": None}, "resource: expected text, got None"),
        ({"employee": 7}, "resource: expected text, got 7"),
        ({"day": 1.9}, "day: expected a whole number, got 1.9"),
        ({"day": True}, "day: expected a whole number, got True"),
        ({"day": "\u0663"}, "day: not a whole number: '\u0663'"),
        ({"shift": ["D"]}, "shift: expected text, got ['D']"),
    ],
)
def test_roster_publish_reads_json_rows_strictly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], row: dict[str, object], message: str
) -> None:
    """A JSON roster checked against its problem: rows through the converter, never
    ``str(None)`` or ``int(1.9)``."""
    ws = _publish_ws(tmp_path, capsys)
    pf = tmp_path / "p.json"
    pf.write_text(json.dumps(_PUB_PROBLEM))
    rows = [
        {"employee": f"t{i % 2}", "day": d, "shift": "D", "post": f"K{i % 2 + 1}"}
        for d in range(3)
        for i in range(2)
    ]
    rf = tmp_path / "r.json"
    rf.write_text(json.dumps(rows), encoding="utf-8")
    args = ["roster", "publish", str(rf), "--id", "R1", "-w", str(ws), "--problem", str(pf)]
    assert main(args) == 0
    capsys.readouterr()
    rows[3] = {**rows[3], **row}
    rf.write_text(json.dumps(rows), encoding="utf-8")
    assert main([*args[:4], "R2", *args[5:]]) == 1
    assert _one_error_line(capsys) == f"gridgov: error: {rf}: roster: roster row 4: {message}"


def test_roster_publish_checks_against_the_stored_problem_of_its_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gridgov.workspace import Workspace

    ws = _publish_ws(tmp_path, capsys)
    store = Workspace.load(ws).open_store()
    store.save_problem("R1", _PUB_PROBLEM)
    store.close()
    cut = tmp_path / "cut.csv"
    cut.write_text("employee,day,shift,post\nt0,0,D,K1\nt1,0,D,K2\n")
    assert main(["roster", "publish", str(cut), "--id", "R1", "-w", str(ws)]) == 1
    assert "(day 1, 2 of 0..2)" in _one_error_line(capsys)
    assert _nothing_published(ws)
    full = tmp_path / "full.csv"
    full.write_text(_FULL)
    assert main(["roster", "publish", str(full), "--id", "R1", "-w", str(ws)]) == 0
    out = capsys.readouterr().out
    assert "roster R1 version 1 stored as published" in out and "1 delivered" in out


# ---- audit additions: every CSV reader locates an unterminated quote and a long field

_HH_OK = "id,building,floor,occupancy\nh1,B,1,permanent\n"
_VISITS_OK = "id,sweep,household,at,visitor,outcome\nv1,S,h1,2020-02-10T09:30,w1,verified\n"


def _coverage(tmp_path: Path, households: str, visits: str) -> list[str]:
    org = tmp_path / "o.csv"
    org.write_text(_ORG_DIR)
    hh = tmp_path / "hh.csv"
    hh.write_text(households)
    vf = tmp_path / "v.csv"
    vf.write_text(visits)
    return ["sweep", "coverage", "--org", str(org), "--households", str(hh), "--visits", str(vf)]


@pytest.mark.parametrize("engine", ["python", "columnar"])
@pytest.mark.parametrize(
    ("which", "households", "visits", "message"),
    [
        (
            "v.csv",
            _HH_OK,
            _VISITS_OK + 'v2,S,h1,2020-02-10T10:00,"w1,verified\n',
            ":3: unterminated quoted field starting at row 3",
        ),
        (
            "hh.csv",
            'id,building,floor,occupancy\nh1,"B,1,\nh2,B,1,\n',
            _VISITS_OK,
            ":2: unterminated quoted field starting at row 2",
        ),
        (
            "v.csv",
            _HH_OK,
            _VISITS_OK + f"v2,S,h1,2020-02-10T10:00,{'x' * 200_000},verified\n",
            ":3: field longer than 131072 characters",
        ),
        (
            "hh.csv",
            f"id,building,floor,occupancy\nh1,B{'x' * 200_000},1,\n",
            _VISITS_OK,
            ":2: field longer than 131072 characters",
        ),
        (
            "v.csv",
            _HH_OK,
            _VISITS_OK.replace("outcome\n", "outcome,outcome\n"),
            ":1: outcome: column appears twice",
        ),
    ],
)
def test_visit_and_household_csv_records_are_located(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    engine: str,
    which: str,
    households: str,
    visits: str,
    message: str,
) -> None:
    monkeypatch.setenv("GRIDGOV_ENGINE", engine)
    assert main([*_coverage(tmp_path, households, visits), "--sweep", "S"]) == 1
    assert _one_error_line(capsys) == f"gridgov: error: {tmp_path / which}{message}"


def test_relations_csv_unterminated_quote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    org = tmp_path / "o.csv"
    org.write_text(_ORG_DIR)
    rel = tmp_path / "o.relations.csv"
    rel.write_text('relation,from,to,name,cadres\ncentral,"h1,B,,\n')
    assert main(["org", "validate", str(org)]) == 1
    assert (
        _one_error_line(capsys)
        == f"gridgov: error: {rel}:2: unterminated quoted field starting at row 2"
    )


@pytest.mark.parametrize("engine", ["python", "columnar"])
@pytest.mark.parametrize("header", ["id,parent,level,name", "id,parent,level,name,households\r"])
def test_header_only_org_csv_with_either_engine(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    engine: str,
    header: str,
) -> None:
    monkeypatch.setenv("GRIDGOV_ENGINE", engine)
    f = tmp_path / "o.csv"
    f.write_text(header + "\n", newline="")
    assert main(["org", "validate", str(f)]) == 1
    assert (
        _one_error_line(capsys)
        == f"gridgov: error: {f}:2: no units: the file has a header row only"
    )
    assert main(["org", "import", str(f), "--store", "memory://"]) == 1
    assert (
        _one_error_line(capsys)
        == f"gridgov: error: {f}:2: no units: the file has a header row only"
    )


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ('"id": null', "id: missing field"),
        ('"id": 123', "id: expected a text, got 123"),
        ('"id": ""', "id: empty id"),
        ('"id": "v", "visitor": 5', "visitor: expected a text, got 5"),
        ('"id": "v", "note": {"a": 1}', "note: expected a text, got {'a': 1}"),
        ('"id": "v", "persons_seen": 3.7', "persons_seen: not a whole number >= 0: 3.7"),
        ('"id": "v", "persons_seen": true', "persons_seen: not a whole number >= 0: True"),
        ('"id": "v", "persons_seen": -4', "persons_seen: not a whole number >= 0: -4"),
        ('"id": "v", "persons_seen": ' + "1" + "0" * 30, "not valid JSON: integer out of range"),
        ('"id": "v", "returnees": -1', "returnees: not a whole number >= 0: -1"),
        ('"id": "v", "residents_seen": 5', "residents_seen: "),
    ],
)
def test_visit_lines_are_typed_strictly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, message: str
) -> None:
    args = _coverage(tmp_path, _HH_OK, _VISITS_OK)
    vf = tmp_path / "v.jsonl"
    vf.write_text(
        "{" + field + ', "sweep": "S", "household": "h1", "at": "2020-02-10T09:30:00+08:00"}\n'
    )
    args[-1] = str(vf)
    assert main([*args, "--sweep", "S"]) == 1
    assert _one_error_line(capsys).startswith(f"gridgov: error: {vf}:1: {message}")


def test_a_visit_line_that_is_not_an_object(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _coverage(tmp_path, _HH_OK, _VISITS_OK)
    vf = tmp_path / "v.jsonl"
    vf.write_text('[1, 2]\n"text"\n')
    args[-1] = str(vf)
    assert main([*args, "--sweep", "S"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"gridgov: error: {vf}:1: expected a JSON object",
        f"gridgov: error: {vf}:2: expected a JSON object",
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("max_attempts =", "max_atempts =", "notify.max_atempts: unknown key (known: retry_base, "),
        (
            "max_attempts = 10",
            "max_attempts = 2.9",
            "notify.max_attempts: expected a whole number, got 2.9",
        ),
        (
            "max_attempts = 10",
            "max_attempts = true",
            "notify.max_attempts: expected a whole number, got True",
        ),
        (
            "max_attempts = 10",
            "max_attempts = 0",
            "notify.max_attempts: max_attempts must be between 1 and 1000, got 0",
        ),
        ("[store]", "# caf\udce9\n[store]", "not UTF-8 text (line "),
    ],
)
def test_gridgov_toml_keys_are_checked_and_typed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, message: str
) -> None:
    assert main(["init", str(tmp_path)]) == 0
    config = tmp_path / "gridgov.toml"
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_bytes(text.replace(old, new, 1).encode("utf-8", "surrogateescape"))
    capsys.readouterr()
    assert main(["notify", "status", "-w", str(tmp_path)]) == 1
    assert _one_error_line(capsys).startswith(f"gridgov: error: {config}: {message}")


def test_integers_past_pythons_digit_limit_in_toml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    problem = tmp_path / "p.toml"
    problem.write_text('[horizon]\nstart = "2026-12-01"\ndays = ' + "9" * 5000 + "\n")
    assert main(["roster", "check", str(problem), str(problem)]) == 1
    assert _one_error_line(capsys) == (
        f"gridgov: error: {problem}: not valid TOML: an integer longer than 4300 digits"
    )
    ws = tmp_path / "ws"
    ws.mkdir()
    config = ws / "gridgov.toml"
    config.write_text('[store]\nurl = "memory://"\n[notify]\nmax_attempts = ' + "9" * 5000 + "\n")
    assert main(["notify", "status", "-w", str(ws)]) == 1
    assert _one_error_line(capsys) == (
        f"gridgov: error: {config}: not valid TOML: an integer longer than 4300 digits"
    )


@pytest.mark.parametrize("kind", ["Person", "PERSON", " person "])
def test_html_export_masks_any_spelling_of_person(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    problem = {
        "horizon": {"start": "2026-12-01", "days": 1},
        "shifts": [{"id": "D", "minutes": 480, "start": "08:00"}],
        "posts": [{"id": "K1", "needs": [{"shift": "D"}]}],
        "resources": [{"id": "t1", "name": "Zhang Wei", "kind": kind}],
    }
    pf = tmp_path / "p.json"
    pf.write_text(json.dumps(problem))
    rf = tmp_path / "r.csv"
    rf.write_text("employee,day,shift,post\nt1,0,D,K1\n")
    out = tmp_path / "r.html"
    assert main(["roster", "export", str(pf), str(rf), "--to", "html", "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "Zhang Wei" not in html and "Z** (t1)" in html


def test_residents_are_read_through_the_located_decoder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gridgov.sweep.residents_io import read_residents

    f = tmp_path / "r.jsonl"
    f.write_bytes('{"id": "r1", "household": "h1"}\n'.encode("utf-16"))
    with pytest.raises(InvalidInput) as info:
        read_residents(f)
    assert str(info.value).startswith(f"{f}: not UTF-8 text (line 1, byte 0): ")
    assert "UTF-16" in str(info.value)


@pytest.mark.parametrize("which", ["visits", "households", "visits-sniff", "jsonl-key"])
def test_a_huge_column_name_is_one_short_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], which: str
) -> None:
    huge = "x" * 200_000
    households, visits = _HH_OK, _VISITS_OK
    if which == "households":
        households = _HH_OK.replace("occupancy\n", f"occupancy,{huge}\n").replace(
            "permanent\n", "permanent,\n"
        )
    elif which.startswith("visits"):
        visits = _VISITS_OK.replace("outcome\n", f"outcome,{huge}\n").replace(
            "verified\n", "verified,\n"
        )
    args = _coverage(tmp_path, households, visits)
    if which == "jsonl-key":
        vf = tmp_path / "v.jsonl"
        vf.write_text(
            '{"id": "v1", "household": "h1", "at": "2020-02-10T09:30", "' + huge + '": 1}\n'
        )
        args[-1] = str(vf)
    if which != "visits-sniff":
        args += ["--sweep", "S"]  # without it the command first looks for a sweep column
    assert main(args) == 1
    line = _one_error_line(capsys)
    assert len(line) < 400 and "x" * 60 + "...: unknown" in line, line[:300]
