"""FineWeb's URL filter, kept offline: datatrove's `URLFilter` (block-listed domains and URLs of the UT1 lists it
ships, banned words and sub-words in the URL) with its domain parser pinned to the public-suffix list bundled with
tldextract. datatrove's default `TLDExtract()` fetches that list from the internet on first use (and caches it in
the home folder); a pipeline here reaches for no network it was not pointed at.

Cost: the integrated lists hold 4.6 million domains, which datatrove parses into ≈ 630 MB of sets in 3 s of CPU
in each filter. Here they are hashed once per machine and list version into memory-mapped files (`url_blocklists`,
74 MB, shared by every process through the page cache) that a task opens in milliseconds; a local run's forkserver
opens them before it forks the workers. Verdicts are datatrove's: its own `filter` runs on them.
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

    def run_time_imports(self) -> tuple[str, ...]:
        """Modules a forkserver should import before it forks this step's workers: the integrated lists, so that
        they are built (once per machine) and opened before the workers start
        (`smolcorpus.runtime.executors.preload_step_modules`)."""
        return ("smolcorpus.filters.url_blocklists",) if self.use_integrated_lists else ()

    def download_data(self) -> None:
        """datatrove's lists, from this process's mapped hashes; this filter's own domains and URLs are read beside
        them (`EitherSet`), its own words added to copies of the short word lists."""
        if self._downloaded or not self.use_integrated_lists:
            return
        from smolcorpus.filters.url_blocklists import EitherSet, integrated_lists

        lists = integrated_lists()
        self.block_listed_domains = EitherSet(lists.domains, self.block_listed_domains)
        self.block_listed_url = EitherSet(lists.urls, self.block_listed_url)
        self.banned_words = lists.banned_words | self.banned_words
        self.banned_subwords = lists.banned_subwords | self.banned_subwords
        self.soft_banned_words = lists.soft_banned_words | self.soft_banned_words
        for word in self.banned_subwords:  # as datatrove's loader does: the automaton gets every sub-word
            self.banned_subwords_automaton.add_word(word, len(self.banned_subwords_automaton))
        self.banned_subwords_automaton.make_automaton()
        self._downloaded = True

    def filter(self, document: Document) -> bool | tuple[bool, str]:
        if not document.metadata.get("url"):
            return False, "no_url"
        return super().filter(document)
