"""datatrove's integrated URL block lists, parsed once per process: URL filters share that copy and decide exactly
as datatrove's own `URLFilter` (which parses the lists in each filter) does, on real and listed URLs."""

import os

import pytest
from datatrove.data import Document
from datatrove.pipeline.filters import URLFilter

from smolcorpus.filters.url_filter import OfflineURLFilter
from smolcorpus.readers.warc import WarcHtmlReader
from tests.filters.test_url_filter import listed_domain


@pytest.fixture(scope="module")
def lists():
    # imported here, not at the top: importing the module parses the lists, which collection must not do
    from smolcorpus.filters.url_blocklists import integrated_lists

    return integrated_lists()


def test_loaded_once_per_process(lists):
    from smolcorpus.filters.url_blocklists import integrated_lists

    assert integrated_lists() is lists and isinstance(lists.domains, frozenset)
    assert len(lists.domains) > 4_000_000 and len(lists.urls) > 10_000 and listed_domain() in lists.domains
    assert lists.banned_words and lists.banned_subwords and lists.soft_banned_words


# a filter's own lists, one entry for each kind
EXTRAS = {"extra_domains": ["smolcorpus-blocked.co.uk"], "extra_urls": ["example.org/only-this"],
          "banned_words": ["smolcorpusbanned"], "banned_subwords": ["zqxsub"]}  # fmt: skip


def test_filters_share_the_lists_and_decide_as_datatrove_does(lists, shared_data):
    """Our filters, with and without lists of their own, read the process's copy (no copy made) and give the verdict
    of datatrove's URLFilter with the same lists on every page of the real WARCs and on a URL for each rule."""
    reference = URLFilter(**EXTRAS)
    reference.tldextractor = OfflineURLFilter().tldextractor  # datatrove's default one would fetch the suffix list
    ours, plain, again = OfflineURLFilter(**EXTRAS), OfflineURLFilter(), OfflineURLFilter()
    domain, listed_url = listed_domain(), min(lists.urls)
    soft = sorted(lists.soft_banned_words)[:2]
    urls = [page.metadata["url"] for page in WarcHtmlReader([str(shared_data / "warc")]).run()]
    probes = [f"https://{domain}/page", f"https://www.{domain}/x", listed_url,
              f"https://example.org/{min(lists.banned_words)}/page", f"https://example.org/{soft[0]}-{soft[1]}",
              f"https://example.org/x{min(lists.banned_subwords)}y", "https://math.stackexchange.com/q/1"]  # fmt: skip
    own_probes = ["https://news.smolcorpus-blocked.co.uk/a", "example.org/only-this",
                  "https://example.org/smolcorpusbanned/x", "https://example.org/azqxsubb"]  # fmt: skip
    verdicts = {}
    for url in urls + probes + own_probes:
        page = Document(text="", id=url, metadata={"url": url})
        verdicts[url] = ours.filter(page)
        assert verdicts[url] == reference.filter(page), url
        assert plain.filter(page) == again.filter(page) == (True if url in own_probes else verdicts[url]), url
    assert len(urls) > 80 and all(verdicts[url] is True for url in urls)
    assert [verdicts[url] for url in probes + own_probes] == [
        (False, "domain"), (False, "domain"), (False, "url"), (False, "hard_blacklisted"), (False, "soft_blacklisted"),
        (False, "blacklisted_subword"), True,
        (False, "domain"), (False, "url"), (False, "hard_blacklisted"), (False, "blacklisted_subword"),
    ]  # fmt: skip
    for step in (ours, plain, again):  # every one reads the same sets; none is copied or changed
        assert step.block_listed_domains.sets[0] is lists.domains and step.block_listed_url.sets[0] is lists.urls
    assert "smolcorpus-blocked.co.uk" not in lists.domains and "example.org/only-this" not in lists.urls


def test_a_failed_preload_is_logged_and_left_to_the_filter(tmp_path):
    """Importing the module with lists that cannot be extracted (an unusable assets folder) does not raise, which in
    a forkserver's preload would kill it: it warns, and a filter that needs the lists raises the error itself."""
    import subprocess
    import sys

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    script = "\n".join([
        "import smolcorpus.filters.url_blocklists",
        "print('imported')",
        "from datatrove.data import Document",
        "from smolcorpus.filters.url_filter import OfflineURLFilter",
        "OfflineURLFilter().filter(Document(text='', id='a', metadata={'url': 'https://example.org/'}))",
    ])  # fmt: skip
    env = {**os.environ, "HF_ASSETS_CACHE": str(blocked / "assets")}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert result.stdout == "imported\n" and "URL block lists not preloaded" in result.stderr
    assert result.returncode != 0 and "Traceback" in result.stderr.split("URL block lists not preloaded")[1]


def test_without_the_integrated_lists_the_step_asks_for_nothing_to_be_preloaded():
    assert OfflineURLFilter().run_time_imports() == ("smolcorpus.filters.url_blocklists",)
    assert OfflineURLFilter(use_integrated_lists=False).run_time_imports() == ()
