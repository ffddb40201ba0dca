"""Read local source trees (or git checkouts) as Stack-Edu-like documents, one per source file.

Language comes from the file extension (the 15 Stack-Edu languages and a few relatives). Each document gets the columns
of a Stack v2 row (`writers/curated.py`): `blob_id` is the git blob id of the content (what Software Heritage and The
Stack v2 call a file), `path` is relative to the repository root, and the licence comes from the root LICENSE/COPYING
file.
Files that are not source are not read; files that cannot be used are skipped and counted with a reason:
`dropped_binary` (NUL bytes), `dropped_undecodable` (not UTF-8), `dropped_too_large`, `dropped_unreadable`; with a
`drop_ledger` each skipped file also gets a ledger line.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from pathlib import Path

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.utils.logging import logger

from smolcorpus.config.base import default_of
from smolcorpus.config.stack_edu import CodeFiltersConfig
from smolcorpus.readers.listing import list_input_files
from smolcorpus.runtime.step_stats import count_drop
from smolcorpus.writers.ledger import DropLedger

EXTENSION_LANGUAGES = {
    ".c": "C", ".h": "C", ".cc": "C++", ".cpp": "C++", ".cxx": "C++", ".hpp": "C++", ".hh": "C++", ".hxx": "C++",
    ".cs": "C#", ".go": "Go", ".java": "Java", ".js": "JavaScript", ".mjs": "JavaScript", ".cjs": "JavaScript",
    ".jsx": "JavaScript", ".md": "Markdown", ".markdown": "Markdown", ".php": "PHP", ".py": "Python",
    ".rb": "Ruby", ".rs": "Rust", ".sql": "SQL", ".sh": "Shell", ".bash": "Shell", ".zsh": "Shell",
    ".swift": "Swift", ".ts": "TypeScript", ".tsx": "TypeScript", ".xsl": "XSLT", ".xslt": "XSLT",
}  # fmt: skip
SKIPPED_DIRECTORIES = frozenset({".git", ".hg", ".svn", "__pycache__", ".mypy_cache", ".pytest_cache", ".tox"})
LICENSE_FILES = ("LICENSE", "LICENSE.txt", "LICENSE.md", "LICENCE", "COPYING", "COPYING.txt", "LICENSE-MIT")

# phrases that identify common licence texts → SPDX id (first match wins; order matters: LGPL before GPL)
_LICENSE_PHRASES = (
    ("Permission is hereby granted, free of charge", "MIT"),
    ("Apache License", "Apache-2.0"),
    ("GNU LESSER GENERAL PUBLIC LICENSE", "LGPL-3.0"),
    ("GNU AFFERO GENERAL PUBLIC LICENSE", "AGPL-3.0"),
    ("GNU GENERAL PUBLIC LICENSE", "GPL-3.0"),
    ("Mozilla Public License", "MPL-2.0"),
    ("This is free and unencumbered software released into the public domain", "Unlicense"),
    ("ISC License", "ISC"),
    ("Neither the name", "BSD-3-Clause"),
    ("Redistribution and use in source and binary forms", "BSD-2-Clause"),
)
_PERMISSIVE = {"MIT", "Apache-2.0", "ISC", "BSD-2-Clause", "BSD-3-Clause", "Unlicense", "0BSD", "Zlib", "CC0-1.0"}


def printable_name(name: str) -> str:
    """A file name as valid UTF-8 text: bytes that are not UTF-8 (which Python holds as lone surrogates, and which
    no JSON or Parquet writer accepts) are written as `\\xNN` escapes; a valid name is returned unchanged."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def git_blob_id(content: bytes) -> str:
    """git's object id of a file's bytes (sha1 of "blob <size>\\0" + content); Software Heritage uses the same."""
    return hashlib.sha1(b"blob %d\x00" % len(content) + content).hexdigest()


def detect_license(root: Path) -> tuple[list[str], str]:
    """(SPDX ids, license_type) from the repository's top-level licence file: permissive, non_permissive or
    no_license."""
    for name in LICENSE_FILES:
        path = root / name
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            spdx = next((spdx for phrase, spdx in _LICENSE_PHRASES if phrase.lower() in text.lower()), None)
            if spdx is None:
                return [], "no_license"
            if spdx == "GPL-3.0" and "Version 2" in text:
                spdx = "GPL-2.0"
            return [spdx], "permissive" if spdx in _PERMISSIVE else "non_permissive"
    return [], "no_license"


def declared_license(expression: str) -> tuple[list[str], str]:
    """(SPDX ids, license_type) for a declared licence expression such as `MIT` or `Apache-2.0 OR BSD-2-Clause`:
    permissive when every id named is permissive (`AND`/`OR`/`WITH` are read as lists, conservatively)."""
    ids = [part for part in re.split(r"\s+(?:AND|OR|WITH)\s+|[()]", expression) if part.strip()]
    ids = [part.strip() for part in ids]
    permissive = {spdx.lower() for spdx in _PERMISSIVE}
    return ids, "permissive" if ids and all(i.lower() in permissive for i in ids) else "non_permissive"


def list_source_files(root: Path) -> list[Path]:
    """Source files under `root` with a known extension, as `listing.list_input_files` lists them (sorted by path,
    symlinked folders not followed), each as `root / <its relative path>`. Version control and cache folders are
    skipped, not every hidden name: a repository's `.github` (issue templates, workflows) is part of it."""
    absolute = os.path.abspath(root)
    files = list_input_files([str(root)], lambda path: os.path.splitext(path)[1].lower() in EXTENSION_LANGUAGES,
                             skip=SKIPPED_DIRECTORIES.__contains__)  # fmt: skip
    return [root / os.path.relpath(path, absolute) for path in files]


def source_tree_size(root: Path) -> tuple[int, int]:
    """(bytes, files) of the source files of `root` that `list_source_files` lists (one stat a file; what
    `run --estimate` samples and scales source trees by)."""
    sizes = [path.stat().st_size for path in list_source_files(root) if path.is_file()]
    return sum(sizes), len(sizes)


class SourceTreeReader(PipelineStep):
    """Read every source file of one or more repository folders; task `rank` reads `files[rank::world_size]`.

    Args:
        roots: repository folders; each folder's name is its `repo_name` unless `repo_names` says otherwise.
        repo_names: optional names, one per root (e.g. "owner/name").
        max_bytes: files larger than this are skipped (default: the config's `filters.max_bytes`, 1 MB).
        Files are read only when their real path is inside their root: symlinks that lead out of the tree are
        skipped (`outside_tree`), and a symlink to a file of the tree that is read anyway (`duplicate_symlink`).
        licenses: optional SPDX id per root (e.g. from package metadata); None entries are detected from the root's
            LICENSE/COPYING file.
        drop_ledger: where skipped files are recorded (optional).
    """

    name = "🌳 Source trees"
    type = "📖 - READER"

    def __init__(self, roots: list[str], repo_names: list[str] | None = None,
                 max_bytes: int = default_of(CodeFiltersConfig, "max_bytes"),
                 licenses: list[str | None] | None = None, drop_ledger: DropLedger | None = None):  # fmt: skip
        super().__init__()
        if licenses is not None and len(licenses) != len(roots):
            raise ValueError("licenses needs one entry per root")
        self.licenses = list(licenses) if licenses is not None else [None] * len(roots)
        self.drop_ledger = drop_ledger
        self.roots = [str(Path(root).resolve()) for root in roots]
        if repo_names is not None and len(repo_names) != len(self.roots):
            raise ValueError("repo_names needs one name per root")
        self.repo_names = repo_names or [printable_name(Path(root).name) for root in self.roots]
        self.max_bytes = max_bytes

    def expected_documents(self) -> int:
        """Source files of all roots, all tasks (for the progress bar; files skipped when read are not documents)."""
        return sum(len(list_source_files(Path(root))) for root in self.roots)

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        work = []
        self._regular_files = set()  # real paths of the listed files that are not symlinks
        for root, repo_name, declared in zip(self.roots, self.repo_names, self.licenses, strict=True):
            licenses = declared_license(declared) if declared else detect_license(Path(root))
            files = list_source_files(Path(root))
            self._regular_files.update(os.path.realpath(path) for path in files if not path.is_symlink())
            work.extend((Path(root), repo_name, licenses, path) for path in files)
        self._rank = rank
        with self.drop_ledger if self.drop_ledger else contextlib.nullcontext():
            for root, repo_name, (licenses, license_type), path in work[rank::world_size]:
                document = self._read(root, repo_name, licenses, license_type, path)
                if document is not None:
                    self.stat_update("documents")
                    self.update_doc_stats(document)
                    yield document

    def _drop(self, reason: str, repo_name: str, relative: str, path: Path, size: int | None) -> None:
        language = EXTENSION_LANGUAGES[path.suffix.lower()]
        count_drop(self, reason, self.drop_ledger, self._rank, f"{repo_name}/{relative}", language, size)

    def _read(self, root: Path, repo_name: str, licenses: list[str], license_type: str, path: Path):
        relative = printable_name(path.relative_to(root).as_posix())
        # only files whose real path is inside the tree: a symlink to /etc/passwd or to another tree is not part
        # of this repository; a symlink to a file of the tree that is read anyway would count it twice
        real = os.path.realpath(path)
        if os.path.commonpath([real, str(root)]) != str(root):
            self._drop("outside_tree", repo_name, relative, path, None)
            return None
        if path.is_symlink() and real in self._regular_files:
            self._drop("duplicate_symlink", repo_name, relative, path, None)
            return None
        listed = path  # its name gives the language: a symlink's target may have no extension
        path = Path(real)
        try:
            size = path.stat().st_size
            if size > self.max_bytes:
                self._drop("too_large", repo_name, relative, listed, size)
                return None
            content = path.read_bytes()
        except OSError as e:
            self._drop("unreadable", repo_name, relative, listed, None)
            logger.warning(f"{path}: skipped, cannot read it ({e})")
            return None
        if b"\x00" in content[:8192]:
            self._drop("binary", repo_name, relative, listed, len(content))
            return None
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            self._drop("undecodable", repo_name, relative, listed, len(content))
            return None
        metadata = {
            "blob_id": git_blob_id(content),
            "language": EXTENSION_LANGUAGES[listed.suffix.lower()],
            "repo_name": repo_name,
            "path": relative,
            "src_encoding": "UTF-8",
            "length_bytes": len(content),
            "detected_licenses": licenses,
            "license_type": license_type,
        }
        return Document(text=text, id=f"{repo_name}/{relative}", metadata=metadata)
