"""datatrove's integrated URL block lists (the UT1 lists it ships: 4.6 million domains, ≈ 20,000 URLs, banned
words and sub-words) as memory-mapped hashes, built once per list version and shared by every process through the
page cache.

datatrove's `URLFilter` parses the lists into Python sets in each filter: ≈ 3 s of CPU and ≈ 630 MB a task (a peak
of ≈ 900 MB). Here the domains and URLs of its tarball become, once per machine and list version, two NumPy files
of 128-bit BLAKE2b hashes (`domains.npy` 74 MB, `urls.npy` 0.3 MB) in `<smolcorpus cache>/url_blocklists/<key>/`,
the key naming this format and the tarball's SHA-256. A task opens them with `mmap_mode="r"` (milliseconds) and a
lookup is a binary search in the sorted first halves (`np.searchsorted`) that checks the second half on a match:
the pages a task touches are shared by every process on the machine and cost it no parse.

Why 128 bits and no copy of the strings: a URL or domain that is not listed is taken for a listed one only if its
128-bit hash equals one of the 4.6 million listed hashes, a chance of 4.6e6 / 2^128 ≈ 1e-32 per lookup (≈ 1e-22 for
the 9e9 lookups of a 3-billion-page snapshot), and BLAKE2b makes no input more likely than another. Keeping the
strings for an exact check would add the 120 MB of the list itself for no decision that could change. Two listed
strings with the same hash would only be one entry for two (both are listed either way).

The three word lists are a few hundred words: read with datatrove's own reader in each process.

Importing this module prepares the lists (builds the hashes if this machine has none, then opens them): a
forkserver that preloads it (`OfflineURLFilter.run_time_imports`) does that once before it forks the workers.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from datatrove.utils.logging import logger

# bumped when the files' layout or the hash changes: a new folder, built beside the old one
FORMAT = 1
TARBALL = "url_filterblacklistsv0_3_0.tar.gz"
HASH_BYTES = 16


def entry_hash(entry: str) -> bytes:
    """The 16-byte BLAKE2b digest of `entry`'s UTF-8 bytes (lone surrogates kept: such a key is in no list)."""
    return hashlib.blake2b(entry.encode("utf-8", "surrogatepass"), digest_size=HASH_BYTES).digest()


class HashedStrings:
    """A read-only set of strings stored as sorted 128-bit hashes: `entry in hashed`, `len(hashed)`.

    `hashes` has shape (2, n), uint64: row 0 the first halves (sorted), row 1 the second halves, so that the searched
    row is contiguous and `np.searchsorted` reads it in place.
    """

    def __init__(self, hashes: np.ndarray):
        self.high, self.low = hashes[0], hashes[1]
        self.size = len(self.high)

    @classmethod
    def open(cls, path: str | os.PathLike) -> HashedStrings:
        """Memory-map a file written by `hash_entries` (read-only; nothing is read until a lookup)."""
        return cls(np.load(path, mmap_mode="r").view(np.ndarray))  # a plain view: memmap's per-call wrapping is slow

    def __len__(self) -> int:
        return self.size

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, str):
            return False
        high, low = np.frombuffer(entry_hash(item), dtype="<u8")
        i = int(np.searchsorted(self.high, high))
        while i < self.size and self.high[i] == high:
            if self.low[i] == low:
                return True
            i += 1
        return False


def hash_entries(entries) -> np.ndarray:
    """The (2, n) uint64 array of `HashedStrings` for an iterable of strings: sorted, each hash once."""
    digests = bytearray()
    for entry in entries:
        digests += entry_hash(entry)
    pairs = np.frombuffer(digests, dtype="<u8").reshape(-1, 2)
    order = np.lexsort((pairs[:, 1], pairs[:, 0]))
    hashes = np.stack((pairs[order, 0], pairs[order, 1])).astype(np.uint64, copy=False)
    repeated = np.zeros(hashes.shape[1], dtype=bool)  # an entry listed twice: its hash is kept once
    repeated[1:] = (hashes[0, 1:] == hashes[0, :-1]) & (hashes[1, 1:] == hashes[1, :-1])
    return hashes[:, ~repeated] if repeated.any() else hashes


def listed_entries(lines):
    """The entries of a domain or URL list as datatrove's `parse_list(..., do_normalize=False)` reads it: every line
    that does not start with `#`, stripped (an empty line is the empty string, as there)."""
    for line in lines:
        if line[0] != "#":
            yield line.strip()


@dataclass(frozen=True)
class BlockLists:
    """The integrated lists: domains and URLs hashed and mapped, the word lists as datatrove's loader reads them."""

    folder: Path
    domains: HashedStrings
    urls: HashedStrings
    banned_words: frozenset[str]
    banned_subwords: frozenset[str]
    soft_banned_words: frozenset[str]


class EitherSet:
    """`item in EitherSet(a, b)` is `item in a or item in b`; read-only, and copies neither."""

    def __init__(self, *sets):
        self.sets = sets

    def __contains__(self, item: object) -> bool:
        return any(item in s for s in self.sets)


def lists_folder(tarball: Path, cache: Path | None = None) -> Path:
    """The folder of the hashes of `tarball`: `<cache>/url_blocklists/v<FORMAT>-<SHA-256 of the tarball, 16 hex>`;
    `cache` defaults to `smolcorpus.assets.cache_dir()`."""
    from smolcorpus.assets import cache_dir, sha256_file

    return (cache or cache_dir()) / "url_blocklists" / f"v{FORMAT}-{sha256_file(tarball)[:16]}"


def build_lists(tarball: Path, folder: Path) -> Path:
    """Write `domains.npy` and `urls.npy` for the lists in `tarball` into `folder`, unless it exists.

    Built in a temporary folder beside it, then renamed: tasks that build at once each finish their own, the first
    rename wins and the others delete theirs; no task ever opens a half-written file.
    """
    if folder.is_dir():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        partial.chmod(0o755)  # mkdtemp's 0o700 would keep the other users of a shared cache out
        with tarfile.open(tarball, "r:gz") as tar:
            for member in tar:
                name = Path(member.name).name
                if member.isfile() and name in ("domains", "urls"):
                    # text as datatrove's open() reads it: UTF-8, universal newlines
                    lines = io.TextIOWrapper(tar.extractfile(member), encoding="utf-8")
                    np.save(partial / f"{name}.npy", hash_entries(listed_entries(lines)))
        missing = [n for n in ("domains", "urls") if not (partial / f"{n}.npy").is_file()]
        if missing:
            raise FileNotFoundError(f"{tarball} has no {' and no '.join(missing)} list")
        try:
            partial.rename(folder)
        except OSError:  # another task renamed its copy first: use that one
            if not folder.is_dir():
                raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return folder


@functools.cache
def integrated_lists() -> BlockLists:
    """The lists, opened on the first call in this process (built first if this machine has none of this version).
    Nothing is downloaded: the tarball and the word lists ship inside the datatrove package."""
    from datatrove.pipeline.filters.url_filter import get_list
    from datatrove.utils._import_utils import ASSETS_PATH

    tarball = Path(ASSETS_PATH) / TARBALL
    folder = build_lists(tarball, lists_folder(tarball))
    return BlockLists(folder, HashedStrings.open(folder / "domains.npy"), HashedStrings.open(folder / "urls.npy"),
                      *(frozenset(get_list(ASSETS_PATH, f"{kind}.txt", set()))
                        for kind in ("banned_words", "banned_subwords", "soft_banned_words")))  # fmt: skip


# the import is the preparation (see the module docstring). A failure here (a read-only cache folder, a broken
# package) is not raised at import, where a forkserver would die of it: each filter's own call raises it where used.
try:
    integrated_lists()
except Exception as error:  # any failure: raised again where a filter asks for the lists
    logger.warning(f"URL block lists not preloaded ({type(error).__name__}: {error}); a URL filter tries when it runs")
