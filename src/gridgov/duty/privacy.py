"""The masked view of duty values: how a person is named wherever a roster is talked about.

A resource of kind ``person`` with a name is shown as its masked name and its
id, ``Zhang Wei`` → ``Z** (K01)``; teams, posts and shift types are named for
units and times, not people, and keep their names. :func:`masked` gives a
whole :class:`Problem` with every person renamed so: validate, solve, repair
or swap on the masked view and every message, explanation and reason names
people masked, while ids, rules and scores stay exactly as they were (names
take no part in any rule). Exports use :func:`display_name`, the same form.
"""

from __future__ import annotations

import attrs

from gridgov.duty.model import Problem, Resource
from gridgov.privacy import mask_name


def display_name(resource: Resource, *, mask: bool = True) -> str:
    """A resource's name for people to read: a person's name is masked unless ``mask=False``.

    Masked, a named person reads ``Z** (K01)``; a team, or a person without a
    name, reads as its ``label`` (name or id).
    """
    if resource.kind == "person" and mask and resource.name:
        return f"{mask_name(resource.name)} ({resource.id})"
    return resource.label


def masked_resource(resource: Resource) -> Resource:
    """``resource`` with a person's name replaced by its masked form (a team as it is)."""
    shown = display_name(resource)
    if shown == resource.label:
        return resource
    return attrs.evolve(resource, name=shown)


def masked(problem: Problem, *, mask: bool = True) -> Problem:
    """``problem`` with every person's name masked (``mask=False``: ``problem`` itself).

    Only names change: ids, limits, requests, rules and everything else are
    kept, so any roster scores the same against both. Masking a masked view
    changes nothing.
    """
    if not mask:
        return problem
    resources = tuple(masked_resource(r) for r in problem.resources)
    if all(a is b for a, b in zip(resources, problem.resources, strict=True)):
        return problem
    return attrs.evolve(problem, resources=resources)


__all__ = ["display_name", "masked", "masked_resource"]
