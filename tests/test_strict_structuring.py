"""Issue 12: user input structured strictly — wrong types are errors naming the field."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from gridgov.cli import main
from gridgov.duty.formats import native
from gridgov.errors import InvalidInput
from gridgov.org.json_io import from_json_data
from gridgov.workspace import Workspace

ORG: dict[str, Any] = {
    "levels": ["county", "township"],
    "units": [
        {
            "id": "C",
            "level": "county",
            "name": "County",
            "parent": None,
            "attributes": {},
            "party": {"kind": "branch", "name": "", "secretary": "Zhang Wei"},
        }
    ],
}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("name",), None),
        (("name",), ["a", "b"]),
        (("party", "secretary"), 42),
        (("id",), 7),
    ],
)
def test_org_json_wrong_types_are_errors(path: tuple[str, ...], value: Any) -> None:
    data = copy.deepcopy(ORG)
    target = data["units"][0]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(InvalidInput) as info:
        from_json_data(data, file="o.json")
    assert any(".".join(path) in str(e) for e in info.value.errors), info.value.errors


PROBLEM: dict[str, Any] = {
    "horizon": {"start": "2026-12-01", "days": 3},
    "shifts": [{"id": "N", "minutes": 480, "start": "22:00", "night": True}],
    "posts": [{"id": "K1", "needs": [{"shift": "N"}]}],
    "resources": [{"id": "t1", "leader": True}],
}


@pytest.mark.parametrize(
    ("where", "key", "value"),
    [
        (("shifts", 0), "night", "false"),
        (("resources", 0), "leader", "no"),
        (("shifts", 0), "minutes", 480.9),
        (("horizon",), "days", 3.9),
        (("horizon",), "days", True),
        (("resources", 0), "id", None),
    ],
)
def test_problem_json_wrong_types_are_errors(
    where: tuple[str | int, ...], key: str, value: Any
) -> None:
    data = copy.deepcopy(PROBLEM)
    target: Any = data
    for step in where:
        target = target[step]
    target[key] = value
    with pytest.raises(InvalidInput) as info:
        native.loads(json.dumps(data), file="p.json")
    assert any(key in str(e) for e in info.value.errors), info.value.errors


def _ws(tmp_path: Path, extra: str) -> Path:
    root = tmp_path / "ws"
    assert main(["init", str(root)]) == 0
    cfg = root / "gridgov.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return root


def test_unknown_store_key_is_an_error(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert main(["init", str(root)]) == 0
    cfg = root / "gridgov.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("url =", "ulr ="), encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        Workspace.load(root)
    assert any("store" in str(e) and "ulr" in str(e) for e in info.value.errors)


@pytest.mark.parametrize("section", ["notify", "channels", "routes", "store", "org"])
def test_a_section_of_the_wrong_type_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], section: str
) -> None:
    root = tmp_path / "ws"
    (root).mkdir()
    (root / "gridgov.toml").write_text(f"{section} = 5\n", encoding="utf-8")
    assert main(["notify", "flush", "-w", str(root)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f": {section}: expected a" in err


def test_route_units_given_as_text_is_an_error(tmp_path: Path) -> None:
    root = _ws(tmp_path, '\n[[routes]]\nevents = ["*"]\nunits = "X00-C00"\nchannels = ["log"]\n')
    with pytest.raises(InvalidInput, match=r"routes\[1\]\.units: expected a list, got 'X00-C00'"):
        Workspace.load(root)
