"""datatrove's integrated URL block lists (the UT1 lists it ships: 4.6 million domains, ≈ 20,000 URLs, banned
words and sub-words), parsed once per process and shared by every URL filter in it.

datatrove's `URLFilter` parses them in each filter, so each task of a stage paid ≈ 3–10 s of CPU and ≈ 700 MB.
Importing this module loads them: a forkserver that preloads it (`OfflineURLFilter.run_time_imports`) parses them
once, and the pool workers it forks share that copy (their lookups only read it).

The lists are read-only: a filter with lists of its own adds them to a copy.
"""

from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass


@dataclass(frozen=True)
class BlockLists:
    """The integrated lists as datatrove's `URLFilter.download_data` reads them (sets of strings; do not change)."""

    domains: set[str]
    urls: set[str]
    banned_words: set[str]
    banned_subwords: set[str]
    soft_banned_words: set[str]


@functools.cache
def integrated_lists() -> BlockLists:
    """The lists, loaded on the first call in this process by datatrove's own loader (which extracts them once per
    machine into the Hugging Face assets cache)."""
    from datatrove.pipeline.filters import URLFilter

    from smolcorpus.filters.url_filter import OfflineURLFilter

    loader = OfflineURLFilter()  # no lists of its own: what datatrove's loader adds is the integrated lists alone
    URLFilter.download_data(loader)
    return BlockLists(loader.block_listed_domains, loader.block_listed_url, loader.banned_words,
                      loader.banned_subwords, loader.soft_banned_words)  # fmt: skip


# the import is the load (see the module docstring). A failure here (a read-only cache folder, a broken package) is
# not raised at import, where a forkserver would die of it: the filter's own call raises it where it is used.
with contextlib.suppress(Exception):
    integrated_lists()
