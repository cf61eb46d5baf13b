"""Synthetic names for the reference scenario (no real people or places)."""

from __future__ import annotations

import random

SURNAMES = [
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Zhao",
    "Huang",
    "Zhou",
    "Wu",
    "Xu",
    "Sun",
    "Hu",
    "Zhu",
    "Gao",
    "Lin",
    "He",
    "Guo",
    "Ma",
    "Luo",
    "Liang",
    "Song",
    "Zheng",
    "Xie",
    "Han",
    "Tang",
    "Feng",
    "Yu",
    "Dong",
    "Xiao",
    "Cheng",
    "Cao",
    "Yuan",
    "Deng",
    "Fu",
    "Shen",
    "Zeng",
    "Peng",
]
GIVEN = [
    "Wei",
    "Fang",
    "Min",
    "Jing",
    "Lei",
    "Jun",
    "Yan",
    "Tao",
    "Ming",
    "Chao",
    "Hua",
    "Ping",
    "Gang",
    "Hui",
    "Xin",
    "Yu",
    "Ling",
    "Qiang",
    "Bo",
    "Jie",
    "Li",
    "Na",
    "Hong",
    "Yong",
    "Jian",
    "Ying",
    "Dan",
    "Rui",
    "Kai",
    "Xia",
    "Lan",
    "Feng",
    "Qing",
    "Yun",
    "Hao",
    "Bin",
]
PLACE_A = [
    "Qing",
    "Chang",
    "An",
    "Xin",
    "He",
    "Hong",
    "Jin",
    "Yu",
    "Fu",
    "Ping",
    "Shun",
    "Tai",
    "Kang",
    "Ning",
    "Long",
    "Feng",
    "Hua",
]
PLACE_B = [
    "he",
    "shan",
    "yuan",
    "lin",
    "quan",
    "hu",
    "qiao",
    "tang",
    "ping",
    "zhuang",
    "gou",
    "po",
    "wan",
    "ling",
]


def person(rng: random.Random) -> str:
    """A synthetic person's name."""
    return (
        f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}{rng.choice(('', rng.choice(GIVEN).lower()))}"
    )


def place(rng: random.Random, used: set[str]) -> str:
    """A synthetic place name, distinct from those in ``used``."""
    for _ in range(1000):
        name = rng.choice(PLACE_A) + rng.choice(PLACE_B)
        if name not in used:
            used.add(name)
            return name
    name = f"Place{len(used)}"
    used.add(name)
    return name
