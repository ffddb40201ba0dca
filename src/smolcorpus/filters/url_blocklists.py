"""datatrove's integrated URL block lists (the UT1 lists it ships: 4.6 million domains, ≈ 20,000 URLs, banned
words and sub-words), parsed once per process and shared by every URL filter in it.

datatrove's `URLFilter` parses them in each filter, so each task of a stage paid ≈ 3–10 s of CPU and ≈ 700 MB.
Importing this module loads them: a forkserver that preloads it (`OfflineURLFilter.run_time_imports`) parses them
once, and the pool workers it forks share that copy (their lookups only read it).

The lists are frozensets: a filter with lists of its own reads both through `EitherSet`, which copies nothing (a
copy of 4.6 M entries in each task would also un-share the memory pages of every string it touches).
"""

from __future__ import annotations

import functools
from collections.abc import Set
from dataclasses import dataclass

from datatrove.utils.logging import logger


@dataclass(frozen=True)
class BlockLists:
    """The integrated lists as datatrove's `URLFilter.download_data` reads them."""

    domains: frozenset[str]
    urls: frozenset[str]
    banned_words: frozenset[str]
    banned_subwords: frozenset[str]
    soft_banned_words: frozenset[str]


class EitherSet:
    """`item in EitherSet(a, b)` is `item in a or item in b`; read-only, and copies neither."""

    def __init__(self, *sets: Set[str]):
        self.sets = sets

    def __contains__(self, item: object) -> bool:
        return any(item in s for s in self.sets)


@functools.cache
def integrated_lists() -> BlockLists:
    """The lists, loaded on the first call in this process by datatrove's own loader (which extracts them once per
    machine into the Hugging Face assets cache)."""
    from datatrove.pipeline.filters import URLFilter

    from smolcorpus.filters.url_filter import OfflineURLFilter

    loader = OfflineURLFilter()  # no lists of its own: what datatrove's loader adds is the integrated lists alone
    URLFilter.download_data(loader)
    return BlockLists(frozenset(loader.block_listed_domains), frozenset(loader.block_listed_url),
                      frozenset(loader.banned_words), frozenset(loader.banned_subwords),
                      frozenset(loader.soft_banned_words))  # fmt: skip


# the import is the load (see the module docstring). A failure here (a read-only cache folder, a broken package) is
# not raised at import, where a forkserver would die of it: each filter's own call raises it where it is used.
try:
    integrated_lists()
except Exception as error:  # any failure: raised again where a filter asks for the lists
    logger.warning(f"URL block lists not preloaded ({type(error).__name__}: {error}); a URL filter tries when it runs")
