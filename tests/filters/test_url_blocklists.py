"""datatrove's integrated URL block lists as memory-mapped hashes: built once per list version (safely when several
tasks build at once), the same lists as datatrove parses, and URL filters on them decide exactly as datatrove's own
`URLFilter` does, on its own test cases, on every URL of the shared data and on listed entries."""

import gzip
import json
import os
import tarfile
import threading
from pathlib import Path

import numpy as np
import pytest
from datatrove.data import Document
from datatrove.pipeline.filters import URLFilter
from datatrove.pipeline.filters.url_filter import parse_list

from smolcorpus.filters.url_filter import OfflineURLFilter
from tests.filters.test_url_filter import listed_domain

# a filter's own lists, one entry for each kind, and the extra domains of datatrove's own URL filter test
DATATROVE_DOMAINS = ["blocked.com", "danger.org", "badsubdomain.nice.com"]
EXTRAS = {"extra_domains": ["smolcorpus-blocked.co.uk", *DATATROVE_DOMAINS], "extra_urls": ["example.org/only-this"],
          "banned_words": ["smolcorpusbanned"], "banned_subwords": ["zqxsub"]}  # fmt: skip
# datatrove's tests/pipeline/filters/test_filters.py (test_url): URL → its expected verdict
DATATROVE_CASES = {
    "https://blocked.com/some-sub-url?with=stuff": (False, "domain"),
    "https://hey.danger.org/some-sub-url?with=stuff": (False, "domain"),
    "http://hey.danger.org/some-sub-url?with=stuff": (False, "domain"),
    "http://www.danger.org/some-sub-url?with=stuff": (False, "domain"),
    "https://nice.com/some-sub-url?with=stuff": True,
    "https://badsubdomain.nice.com/some-sub-url?with=stuff": (False, "subdomain"),
    "https://sdsd.badsubdomain.nice.com/some-sub-url?with=stuff": True,
    "https://blocke.dcom/some-sub-url?with=stuff": True,
}


@pytest.fixture(scope="module")
def lists():
    # imported here, not at the top: importing the module prepares the lists, which collection must not do
    from smolcorpus.filters.url_blocklists import integrated_lists

    return integrated_lists()


@pytest.fixture(scope="module")
def reference():
    """datatrove's URLFilter with `EXTRAS`, its lists parsed by its own loader (≈ 630 MB, 3 s: once per module)."""
    step = URLFilter(**EXTRAS)
    step.tldextractor = OfflineURLFilter().tldextractor  # datatrove's default one would fetch the suffix list
    step.download_data()
    return step


def shared_urls(shared_data: Path) -> set[str]:
    """Every URL of the shared data: the target of each WARC record, and each `url` field (or URL key) of its JSON and
    JSON Lines files (extraction ground truth, math page indexes, labelled Common Crawl pages)."""
    from fastwarc.warc import ArchiveIterator

    def found(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key.startswith(("http://", "https://")):
                    yield key
                if key == "url" and isinstance(value, str):
                    yield value
                else:
                    yield from found(value)
        elif isinstance(node, list):
            for value in node:
                yield from found(value)

    urls = set()
    for path in sorted(shared_data.rglob("*.json*")):
        if path.name.endswith((".json", ".json.gz", ".jsonl", ".jsonl.gz")):
            text = (gzip.open if path.suffix == ".gz" else open)(path, "rt", encoding="utf-8").read()
            try:
                urls.update(found(json.loads(text)))
            except json.JSONDecodeError:  # JSON Lines, whatever the name says
                urls.update(u for line in text.splitlines() if line.strip() for u in found(json.loads(line)))
    for path in sorted((shared_data / "warc").iterdir()):
        with open(path, "rb") as f:
            try:
                for record in ArchiveIterator(f, parse_http=False):
                    if uri := record.headers.get("WARC-Target-URI"):
                        urls.update((uri, uri.strip("<>")))  # WARC/1.0 writers put some in angle brackets
            except OSError:  # the ARC file, which is no WARC
                continue
    return urls


def test_opened_once_per_process_from_a_small_mapped_folder(lists):
    from smolcorpus.filters.url_blocklists import HashedStrings, integrated_lists

    assert integrated_lists() is lists and isinstance(lists.domains, HashedStrings)
    assert len(lists.domains) > 4_000_000 and len(lists.urls) > 10_000 and listed_domain() in lists.domains
    assert lists.banned_words and lists.banned_subwords and lists.soft_banned_words
    assert sum(p.stat().st_size for p in lists.folder.iterdir()) < 100e6
    assert not lists.domains.high.flags.writeable and not lists.urls.low.flags.writeable  # read-only maps of the files


def test_the_hashes_are_datatroves_lists(lists, reference):
    """Every domain and URL datatrove parses, and nothing else: the hashes of its sets (less `EXTRAS`) are ours."""
    from smolcorpus.filters.url_blocklists import hash_entries

    for ours, theirs, extra in ((lists.domains, reference.block_listed_domains, EXTRAS["extra_domains"]),
                                (lists.urls, reference.block_listed_url, EXTRAS["extra_urls"])):  # fmt: skip
        expected = hash_entries(entry for entry in theirs if entry not in extra)
        assert np.array_equal(np.stack((ours.high, ours.low)), expected)
    assert lists.banned_words | {"smolcorpusbanned"} == reference.banned_words
    assert lists.banned_subwords | {"zqxsub"} == reference.banned_subwords
    assert lists.soft_banned_words == reference.soft_banned_words


def test_filters_decide_as_datatrove_does(lists, reference, shared_data):
    """Our filters, with and without lists of their own, give the verdict of datatrove's URLFilter with the same lists
    on datatrove's own test cases, on every URL of the shared data, on a URL for each rule, and on every 1,000th
    listed domain (as itself, under `www.`, with a path, in capitals) and every 10th listed URL."""
    ours, plain = OfflineURLFilter(**EXTRAS), OfflineURLFilter()
    domain = listed_domain()
    soft = sorted(lists.soft_banned_words)[:2]
    urls = shared_urls(shared_data)
    probes = [f"https://{domain}/page", f"https://www.{domain}/x", f"https://example.org/{min(lists.banned_words)}/p",
              f"https://example.org/{soft[0]}-{soft[1]}", f"https://example.org/x{min(lists.banned_subwords)}y",
              "https://math.stackexchange.com/q/1", "", "http://", "https://192.168.0.1/a",
              "file:///tmp/x"]  # fmt: skip
    own_probes = ["https://news.smolcorpus-blocked.co.uk/a", "example.org/only-this",
                  "https://example.org/smolcorpusbanned/x", "https://example.org/azqxsubb",
                  *DATATROVE_CASES]  # fmt: skip
    from datatrove.utils._import_utils import ASSETS_PATH

    with tarfile.open(Path(ASSETS_PATH) / "url_filterblacklistsv0_3_0.tar.gz", "r:gz") as tar:
        members = {Path(m.name).name: m for m in tar if m.isfile()}
        domains = [
            line.decode().strip() for i, line in enumerate(tar.extractfile(members["domains"])) if i % 1000 == 0
        ]
        listed_urls = [line.decode().strip() for i, line in enumerate(tar.extractfile(members["urls"])) if i % 10 == 0]
    listed = listed_urls + [
        f"{scheme}{prefix}{d}{path}"
        for d in domains
        for scheme, prefix, path in (("", "", ""), ("https://", "www.", "/a?b=c"))
    ]
    listed += [f"HTTPS://{d.upper()}/" for d in domains[:200]]
    verdicts = {}
    for url in sorted(urls) + probes + own_probes + listed:
        page = Document(text="", id=url, metadata={"url": url})
        verdicts[url] = ours.filter(page)
        assert verdicts[url] == (reference.filter(page) if url else (False, "no_url")), url
        if url not in own_probes:
            assert plain.filter(page) == verdicts[url], url
    assert len(urls) > 3_000 and sum(verdicts[url] is True for url in urls) > 0.95 * len(urls)
    assert [verdicts[url] for url in probes[:6] + own_probes[:4]] == [
        (False, "domain"), (False, "domain"), (False, "hard_blacklisted"), (False, "soft_blacklisted"),
        (False, "blacklisted_subword"), True,
        (False, "domain"), (False, "url"), (False, "hard_blacklisted"), (False, "blacklisted_subword"),
    ]  # fmt: skip
    assert {url: verdicts[url] for url in DATATROVE_CASES} == DATATROVE_CASES
    assert all(verdicts[url] == (False, "url") for url in listed_urls)  # listed as they are, without a scheme
    reasons = {verdict[1] for verdict in verdicts.values() if verdict is not True}
    assert reasons == {"domain", "subdomain", "url", "hard_blacklisted", "soft_blacklisted", "blacklisted_subword",
                       "no_url"}  # fmt: skip
    for step in (ours, plain):  # every one reads the process's mapped lists; none is copied or changed
        assert step.block_listed_domains.sets[0] is lists.domains and step.block_listed_url.sets[0] is lists.urls
    assert "smolcorpus-blocked.co.uk" not in lists.domains and "example.org/only-this" not in lists.urls


def write_lists(path: Path, domains: str, urls: str) -> Path:
    """A tarball laid out as datatrove's: `<folder>/domains` and `<folder>/urls`."""
    with tarfile.open(path, "w:gz") as tar:
        for name, text in (("domains", domains), ("urls", urls)):
            (path.parent / name).write_text(text, encoding="utf-8")
            tar.add(path.parent / name, arcname=f"blacklists/{name}")
    return path


# comments, a blank line (the empty string is listed, as datatrove reads it), spaces, a repeat, non-ASCII
DOMAINS = "# UT1 adult\nexample.com\n\n  spaced.org \nexample.com\nbücher.de\n#not-this.com\nlast.net"


def test_build_reads_the_lines_as_datatrove_does(tmp_path):
    from smolcorpus.filters.url_blocklists import HashedStrings, build_lists, lists_folder

    tarball = write_lists(tmp_path / "lists.tar.gz", DOMAINS, "example.org/a\nexample.org/b\n")
    folder = build_lists(tarball, lists_folder(tarball, tmp_path / "cache"))
    domains, urls = HashedStrings.open(folder / "domains.npy"), HashedStrings.open(folder / "urls.npy")
    theirs = parse_list(DOMAINS.splitlines(keepends=True), do_normalize=False)
    assert theirs == {"example.com", "", "spaced.org", "bücher.de", "last.net"}
    assert len(domains) == len(theirs) and all(entry in domains for entry in theirs)
    assert not any(entry in domains for entry in ("not-this.com", "#not-this.com", "example.co", "EXAMPLE.COM", None))
    assert "example.org/b" in urls and "example.org/c" not in urls and len(urls) == 2
    assert folder.name.startswith("v1-") and folder.parent.name == "url_blocklists"
    assert oct(folder.stat().st_mode & 0o777) == oct(0o755)  # readable by the other users of a shared cache
    (tmp_path / "other").mkdir()
    other = write_lists(tmp_path / "other" / "lists.tar.gz", "other.com\n", "")
    assert lists_folder(other, tmp_path / "cache") != folder  # a new list version: a new folder


def test_tasks_that_build_at_once_share_one_whole_folder(tmp_path, monkeypatch):
    """Several builders at once each write their own temporary folder and rename it; the first rename wins, the others
    drop theirs and use it. A builder that loses the race (another renamed first) still returns the whole folder."""
    import tempfile

    from smolcorpus.filters import url_blocklists
    from smolcorpus.filters.url_blocklists import HashedStrings, build_lists, lists_folder

    tarball = write_lists(tmp_path / "lists.tar.gz", DOMAINS, "example.org/a\n")
    folder = lists_folder(tarball, tmp_path / "cache")
    barrier, results = threading.Barrier(4), []

    def build():
        barrier.wait()
        results.append(build_lists(tarball, folder))

    threads = [threading.Thread(target=build) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [folder] * 4 and sorted(os.listdir(folder.parent)) == [folder.name]
    assert "last.net" in HashedStrings.open(folder / "domains.npy")

    # the race lost for sure: a rival finishes between this builder's check and its rename
    lost = lists_folder(write_lists(tmp_path / "again.tar.gz", "again.com\n", ""), tmp_path / "cache")
    real_mkdtemp = tempfile.mkdtemp

    def rival_first(*args, **kwargs):
        monkeypatch.setattr(url_blocklists.tempfile, "mkdtemp", real_mkdtemp)
        build_lists(tmp_path / "again.tar.gz", lost)
        return real_mkdtemp(*args, **kwargs)

    monkeypatch.setattr(url_blocklists.tempfile, "mkdtemp", rival_first)
    assert build_lists(tmp_path / "again.tar.gz", lost) == lost and "again.com" in HashedStrings.open(
        lost / "domains.npy"
    )  # fmt: skip
    assert sorted(os.listdir(lost.parent)) == sorted([folder.name, lost.name])  # no temporary folder left


def test_a_failed_preload_is_logged_and_left_to_the_filter(tmp_path):
    """Importing the module where the hashes cannot be built (an unusable cache folder) does not raise, which in a
    forkserver's preload would kill it: it warns, and a filter that needs the lists raises the error itself."""
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
    env = {**os.environ, "SMOLCORPUS_CACHE": str(blocked / "cache")}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert result.stdout == "imported\n" and "URL block lists not preloaded" in result.stderr
    assert result.returncode != 0 and "Traceback" in result.stderr.split("URL block lists not preloaded")[1]


def test_without_the_integrated_lists_the_step_asks_for_nothing_to_be_preloaded():
    assert OfflineURLFilter().run_time_imports() == ("smolcorpus.filters.url_blocklists",)
    assert OfflineURLFilter(use_integrated_lists=False).run_time_imports() == ()
