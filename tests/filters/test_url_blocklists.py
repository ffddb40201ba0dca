"""datatrove's integrated URL block lists, parsed once per process: URL filters share that copy and decide exactly
as datatrove's own `URLFilter` (which parses the lists in each filter) does, on real and listed URLs."""

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

    assert integrated_lists() is lists
    assert len(lists.domains) > 4_000_000 and len(lists.urls) > 10_000 and listed_domain() in lists.domains
    assert lists.banned_words and lists.banned_subwords and lists.soft_banned_words


def test_filters_share_the_lists_and_decide_as_datatrove_does(lists, shared_data):
    """Our filters read the process's copy (the same objects, no copy made) and give datatrove's URLFilter's verdict
    on every page of the real WARCs and on URLs that each rule of the lists drops."""
    reference = URLFilter()
    reference.tldextractor = OfflineURLFilter().tldextractor  # datatrove's default one would fetch the suffix list
    ours, again = OfflineURLFilter(), OfflineURLFilter()
    domain, listed_url = listed_domain(), min(lists.urls)
    soft = sorted(lists.soft_banned_words)[:2]
    urls = [page.metadata["url"] for page in WarcHtmlReader([str(shared_data / "warc")]).run()]
    probes = [f"https://{domain}/page", f"https://www.{domain}/x", listed_url,
              f"https://example.org/{min(lists.banned_words)}/page", f"https://example.org/{soft[0]}-{soft[1]}",
              f"https://example.org/x{min(lists.banned_subwords)}y", "https://math.stackexchange.com/q/1"]  # fmt: skip
    verdicts = {}
    for url in urls + probes:
        page = Document(text="", id=url, metadata={"url": url})
        verdicts[url] = ours.filter(page)
        assert verdicts[url] == reference.filter(page) == again.filter(page), url
    assert len(urls) > 80 and all(verdicts[url] is True for url in urls)
    assert [verdicts[url] for url in probes] == [
        (False, "domain"), (False, "domain"), (False, "url"), (False, "hard_blacklisted"), (False, "soft_blacklisted"),
        (False, "blacklisted_subword"), True,
    ]  # fmt: skip
    assert ours.block_listed_domains is again.block_listed_domains is lists.domains
    assert ours.block_listed_url is lists.urls


def test_a_filters_own_lists_go_to_its_copy(lists):
    size = len(lists.domains)
    step = OfflineURLFilter(extra_domains=["smolcorpus-blocked.co.uk"], extra_urls=["example.org/only-this"])
    assert step.filter(Document(text="", id="a", metadata={"url": "https://smolcorpus-blocked.co.uk/"})) == (
        False, "domain"
    )  # fmt: skip
    assert step.filter(Document(text="", id="b", metadata={"url": "example.org/only-this"})) == (False, "url")
    assert step.filter(Document(text="", id="c", metadata={"url": f"https://{listed_domain()}/"})) == (False, "domain")
    assert "smolcorpus-blocked.co.uk" not in lists.domains and len(lists.domains) == size
    assert "example.org/only-this" not in lists.urls
    assert OfflineURLFilter().filter(Document(text="", id="d", metadata={"url": "https://smolcorpus-blocked.co.uk/"}))


def test_without_the_integrated_lists_the_step_asks_for_nothing_to_be_preloaded():
    assert OfflineURLFilter().run_time_imports() == ("smolcorpus.filters.url_blocklists",)
    assert OfflineURLFilter(use_integrated_lists=False).run_time_imports() == ()
