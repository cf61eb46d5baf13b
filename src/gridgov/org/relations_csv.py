"""The relations of a hierarchy as a CSV file beside the tree's own CSV.

``county.csv`` holds the tree; ``county.relations.csv`` (the *companion*,
:func:`companion_path`) holds the links beside it, one link a row::

    relation,from,to,name,cadres
    central,T01-C01-G01-B01-101,T01-C01-G01-B01-102,,
    pairing,GOV01,T01-C01,County Bureau 1,7

- ``central``: household ``from`` (a party-member central household) looks after
  household ``to`` (an empty ``to``: a central household looking after nobody yet);
- ``pairing``: government unit ``from`` (named ``name``, sending ``cadres``) is
  paired with unit ``to``; a government unit paired with nothing has an empty ``to``.

Why a companion file and not more columns of the tree's CSV: a pairing links
a government unit, which is not a unit of the tree, with any number of units,
and carries its own name and cadres, so it has no row of its own in the tree's
file; one file of links keeps both kinds of relation in one shape, leaves the
tree's CSV exactly what other tools read and write (a unit a row), and keeps
the order of each central household's neighbours. Rows keep the order of
:attr:`~gridgov.org.relations.Relations.central` and ``pairings``, so
``read(write(tree)) == tree``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from gridgov.csvrows import table_rows
from gridgov.errors import ChangeRefused, InvalidInput, SourceProblem
from gridgov.numbers import parse_int_or_none
from gridgov.org.hierarchy import Hierarchy
from gridgov.org.relations import GovUnit
from gridgov.utf8 import read_utf8

HEADER = ("relation", "from", "to", "name", "cadres")
SUFFIX = ".relations.csv"
KINDS = ("central", "pairing")


def companion_path(path: str | Path) -> Path:
    """The relations file beside tree file ``path``: ``county.csv`` → ``county.relations.csv``."""
    p = Path(path)
    stem = p.name[: -len(p.suffix)] if p.suffix else p.name
    return p.with_name(stem + SUFFIX)


def has_relations(tree: Hierarchy) -> bool:
    """Whether ``tree`` has any central-household link or government unit."""
    rel = tree.relations
    return bool(rel.central or rel.gov_units)


def relations_csv_text(tree: Hierarchy, *, raw: bool = False) -> str:
    """The relations of ``tree`` as CSV text (CRLF line ends, like the tree's CSV).

    Formula-like text cells get a leading ``'`` unless ``raw``, as in the
    tree's CSV (:mod:`gridgov.csvsafe`), so that ids in both files agree.
    """
    from gridgov.csvsafe import neutralise_row

    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    rel = tree.relations
    for central, households in rel.central.items():
        for hh in households or ("",):
            writer.writerow(neutralise_row(("central", central, hh, "", ""), raw=raw))
    for gid, gov in rel.gov_units.items():
        units = rel.pairings.get(gid, ())
        for uid in units or ("",):
            writer.writerow(
                neutralise_row(("pairing", gid, uid, gov.name, str(gov.cadres)), raw=raw)
            )
    return out.getvalue()


def apply_relations_csv_text(tree: Hierarchy, text: str, *, file: str | None = None) -> None:
    """Add the links of relations CSV ``text`` to ``tree``; every bad row reported at once.

    Nothing is added when any row is wrong (the links are checked on a copy first).
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    errors: list[SourceProblem] = []
    header, rows = table_rows(io.StringIO(text, newline=""), file=file, errors=errors)
    missing = [h for h in HEADER if h not in header]
    if missing:
        raise InvalidInput(
            [SourceProblem("missing column", field=m, row=1, file=file) for m in missing]
        )
    at = {h: header.index(h) for h in HEADER}
    trial = tree.copy()
    rel = trial.relations
    govs: dict[str, tuple[GovUnit, int]] = {}
    for row, record in rows:
        kind, src, dst, name, cadres = (record[at[h]] for h in HEADER)
        kind, src, dst = kind.strip(), src.strip(), dst.strip()

        def bad(message: str, field: str, row: int = row) -> None:
            errors.append(SourceProblem(message, field=field, row=row, file=file))

        if kind not in KINDS:
            bad(f"unknown relation {kind!r} (expected one of {', '.join(KINDS)})", "relation")
            continue
        if not src:
            bad("empty", "from")
            continue
        try:
            if kind == "central":
                rel.link_central_household(src, [dst] if dst else [])
                continue
            text_cadres = cadres.strip() or "0"
            count = parse_int_or_none(text_cadres)  # ASCII digits only: "٣" is not a number
            if count is None or count < 0:
                bad(f"not a whole number >= 0: {cadres!r}", "cadres")
                continue
            gov = GovUnit(src, name, count)
            first = govs.setdefault(src, (gov, row))
            if first[0] != gov:
                bad(
                    f"government unit {src!r} differs from row {first[1]} "
                    f"({first[0].name!r}, {first[0].cadres} cadres)",
                    "name" if first[0].name != gov.name else "cadres",
                )
                continue
            rel.pair(gov, [dst] if dst else [], level=None)
        except ChangeRefused as exc:
            bad(str(exc), "to" if kind == "pairing" else "from")
    if errors:
        raise InvalidInput(errors)
    tree.relations = rel.copy_for(tree)


def read_relations_csv(tree: Hierarchy, path: str | Path) -> None:
    """Add the links of the relations file ``path`` to ``tree`` (see the module docs)."""
    p = Path(path)
    apply_relations_csv_text(tree, read_utf8(p), file=str(p))  # the one located decoder
