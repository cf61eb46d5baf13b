import json
from pathlib import Path

from gridgov.cli import main
from gridgov.plugins import get_plugins

from .test_curtois import TINY


def test_solve_then_check(tmp_path: Path, capsys) -> None:
    inst = tmp_path / "tiny.txt"
    inst.write_text(TINY)
    out = tmp_path / "r.csv"
    assert (
        main(
            [
                "roster",
                "solve",
                str(inst),
                "--format",
                "curtois",
                "--time-limit",
                "0.5",
                "--seed",
                "3",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(line) == {"objective", "hard_violations", "optimal", "bound", "wall_s"}
    assert line["optimal"] is False and line["bound"] is None  # the local search proves nothing
    assert line["hard_violations"] == 0
    assert out.read_text().splitlines()[0] == "employee,day,shift"
    assert main(["roster", "check", str(inst), str(out), "--json"]) == 0
    checked = json.loads(capsys.readouterr().out)
    assert checked["objective"] == line["objective"]


def test_check_exits_1_on_a_hard_violation(tmp_path: Path, capsys) -> None:
    inst = tmp_path / "tiny.txt"
    inst.write_text(TINY)
    ros = tmp_path / "bad.csv"
    ros.write_text("employee,day,shift\nA,6,D\nA,0,D\nA,0,N\n")
    assert main(["roster", "check", str(inst), str(ros)]) == 1
    out = capsys.readouterr().out
    assert "unavailable" in out
    assert "one_shift_a_day" in out


def test_bad_roster_row_is_named(tmp_path: Path, capsys) -> None:
    inst = tmp_path / "tiny.txt"
    inst.write_text(TINY)
    ros = tmp_path / "bad.csv"
    ros.write_text("employee,day,shift\nA,1,Q\n")
    assert main(["roster", "check", str(inst), str(ros)]) == 1
    assert "unknown shift type 'Q'" in capsys.readouterr().err


def test_builtins_are_registered_as_plugins() -> None:
    plugins = get_plugins()
    assert plugins.registry("solver")["local"].plugin == "gridgov.duty.plugin"
    assert "cover" in plugins.registry("rule")


def test_workers_option(tmp_path: Path, capsys) -> None:
    inst = tmp_path / "tiny.txt"
    inst.write_text(TINY)
    base = ["roster", "solve", str(inst), "--time-limit", "0.5"]
    assert main([*base, "--workers", "2"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["hard_violations"] == 0
    assert main([*base, "--workers", "0"]) == 2
    assert "--workers must be at least 1" in capsys.readouterr().err


def test_max_iterations_gives_the_same_roster_however_loaded(tmp_path: Path, capsys) -> None:
    """A move budget instead of the clock: the same seed writes the same roster twice."""
    inst = tmp_path / "tiny.txt"
    inst.write_text(TINY)
    base = ["roster", "solve", str(inst), "--time-limit", "60", "--seed", "5"]
    base += ["--max-iterations", "3000", "--workers", "1"]
    texts = []
    for k in range(2):
        out = tmp_path / f"r{k}.csv"
        assert main([*base, "--out", str(out)]) == 0
        capsys.readouterr()
        texts.append(out.read_text(encoding="utf-8"))
    assert texts[0] == texts[1] and len(texts[0].splitlines()) > 1
    assert main([*base[:-4], "--max-iterations", "0"]) == 2
    assert "--max-iterations must be at least 1" in capsys.readouterr().err
