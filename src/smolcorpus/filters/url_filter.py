"""FineWeb's URL filter, kept offline: datatrove's `URLFilter` (block-listed domains and URLs of the UT1 lists it
ships, banned words and sub-words in the URL) with its domain parser pinned to the public-suffix list bundled with
tldextract. datatrove's default `TLDExtract()` fetches that list from the internet on first use (and caches it in
the home folder); a pipeline here reaches for no network it was not pointed at.

Cost: the integrated lists hold 4.6 million domains, ≈ 700 MB of memory per task and ≈ 10 s to load once per task.
`use_integrated_lists=False` keeps only the user's own lists.

Reasons (from datatrove): `domain`, `subdomain`, `url`, `hard_blacklisted`, `soft_blacklisted`,
`blacklisted_subword`; a document without a URL is dropped as `no_url`.
"""

from __future__ import annotations

from datatrove.data import Document
from datatrove.pipeline.filters import URLFilter


class OfflineURLFilter(URLFilter):
    """datatrove's URLFilter (same arguments) whose domain parser never goes online."""

    name = "😈 URL filter"

    def __init__(self, *args, **kwargs):
        from tldextract import TLDExtract

        super().__init__(*args, **kwargs)
        # the bundled snapshot of the public-suffix list, no fetch, no cache written to the home folder
        self.tldextractor = TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)

    def filter(self, document: Document) -> bool | tuple[bool, str]:
        if not document.metadata.get("url"):
            return False, "no_url"
        return super().filter(document)
