"""FineWeb's URL filter on real URLs, with datatrove's integrated block lists, and never online."""

import socket
import tarfile

import pytest
from datatrove.data import Document

from smolcorpus.filters.url_filter import OfflineURLFilter
from smolcorpus.readers.warc import WarcHtmlReader


@pytest.fixture(scope="module")
def url_filter():
    return OfflineURLFilter()


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args[1:] if len(args) > 1 else args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def listed_domain() -> str:
    """A domain from the block list datatrove ships (read from its tarball, as the filter does)."""
    from datatrove.utils._import_utils import ASSETS_PATH

    with tarfile.open(f"{ASSETS_PATH}/url_filterblacklistsv0_3_0.tar.gz", "r:gz") as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("domains"))
        for line in tar.extractfile(member):
            line = line.decode().strip()
            if line and not line.startswith("#") and "." in line:
                return line
    raise AssertionError("no domain in the block list")


def test_real_pages_pass_and_listed_domains_do_not(url_filter, shared_data, no_network):
    pages = list(WarcHtmlReader([str(shared_data / "warc")]).run())
    verdicts = [url_filter.filter(page) for page in pages]
    assert len(pages) > 80 and all(v is True for v in verdicts)  # researchers' home pages and blogs
    domain = listed_domain()
    assert url_filter.filter(Document(text="", id="a", metadata={"url": f"https://{domain}/page"})) == (
        False, "domain"
    )  # fmt: skip
    sub = url_filter.filter(Document(text="", id="b", metadata={"url": f"https://www.{domain}/x"}))
    assert sub in ((False, "domain"), (False, "subdomain"))
    assert url_filter.filter(Document(text="", id="c", metadata={})) == (False, "no_url")


def test_user_lists_alone_and_the_bundled_suffix_list(no_network):
    step = OfflineURLFilter(use_integrated_lists=False, extra_domains=["spamsite.co.uk"], banned_words=["casino"])
    page = Document(text="", id="a", metadata={"url": "https://news.spamsite.co.uk/article"})
    assert step.filter(page) == (False, "domain")  # registered domain under a multi-part suffix rule
    assert step.filter(Document(text="", id="b", metadata={"url": "https://x.org/best-casino-bonus"})) == (
        False, "hard_blacklisted"
    )  # fmt: skip
    assert step.filter(Document(text="", id="c", metadata={"url": "https://math.stackexchange.com/q/1"})) is True
    parsed = step.tldextractor("https://www.bbc.co.uk/news")
    assert (parsed.domain, parsed.suffix) == ("bbc", "co.uk")  # the public-suffix list, from the package
