"""Document samples for the run report: a few documents per group (a drop reason, or a kept language / score band),
so that a user can see what a step removed and what the corpus holds.

The choice does not depend on the order of documents, the number of tasks or a rerun: a document's sample key is
a keyed hash of (seed, id) (`sample_key`), and a group keeps the `per_group` documents with the smallest keys
(`GroupSample`). The k smallest keys of a union are the k smallest of each part's k smallest, so the per-task
files merge (`read_samples`) into exactly the sample one task over everything would have chosen. Memory is bounded
whatever the input: `per_group` records per group, at most `max_groups` groups (documents of further groups are
counted, not kept), and each record's text and metadata values are cut (`MAX_TEXT_CHARS`, `MAX_FIELD_CHARS`);
raw HTML (pages dropped before extraction) is shown as its readable text, parsed from its first `MAX_HTML_CHARS`.

Writers: `DropLedger` (writers/ledger.py) samples what each step drops; `KeptSampler` (a pass-through step put
before the curated writer) samples what a run keeps. Each task writes `<folder>/<rank>.jsonl.gz` whole when it
finishes, so a task that reruns rewrites its file. A corpus run's samples live under `RUN_SAMPLES_FOLDER`
(`dropped/<step>/`, `kept/`), outside the drop ledgers' folder, whose every `*.jsonl.gz` the funnel reads.
"""

from __future__ import annotations

import bisect
import gzip
import hashlib
import json
from collections.abc import Callable

from datatrove.data import Document, DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep
from datatrove.utils.logging import logger
from datatrove.utils.typeshelper import StatHints

from smolcorpus.score_keys import is_score_key

RUN_SAMPLES_FOLDER = "work/samples"  # below a corpus run's output folder
DROPPED_SAMPLES, KEPT_SAMPLES = "dropped", "kept"  # its subfolders
SAMPLE_SEED = 0
PER_GROUP = 3
MAX_GROUPS = 500
MAX_TEXT_CHARS = 1_500  # characters of text a sample shows
MAX_HTML_CHARS = 300_000  # characters of raw HTML parsed to find its readable text
MAX_FIELD_CHARS = 300  # characters of a metadata value (URLs, paths, ids)
# metadata that tells why a document was kept or dropped, besides every `*_score` / `*_int_score`
SAMPLE_FIELDS = ("url", "repo_name", "path", "language", "language_score", "math_marker", "math_formulas",
                 "length_bytes", "license_type", "warc_filename", "warc_record_offset")  # fmt: skip


def sample_key(seed: int, document_id: str) -> str:
    """The document's place in every sample: 16 hex digits of blake2b(seed, id); smaller keys are chosen first."""
    data = f"{seed}\x00{document_id}".encode("utf-8", errors="replace")
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def _cut(value, limit: int = MAX_FIELD_CHARS):
    """A JSON-safe metadata value no longer than `limit` characters (lists: their first 10 items)."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [_cut(item, limit) for item in value[:10]]
    return str(value)[:limit]


_BLOCK_TAGS = ("p", "div", "br", "li", "tr", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
               "article", "blockquote", "title", "dt", "dd")  # fmt: skip
_UNSEEN_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "object")


def html_to_text(markup: str) -> str:
    """The text a reader of the page sees: scripts and styles removed, one line per block, spaces collapsed."""
    import lxml.html
    from lxml import etree

    parser = lxml.html.HTMLParser(encoding="utf-8", recover=True, remove_comments=True, remove_pis=True)
    try:
        tree = lxml.html.document_fromstring(markup.encode("utf-8", errors="replace"), parser=parser)
    except (etree.ParserError, ValueError):  # nothing parsable (an empty or binary body)
        return ""
    etree.strip_elements(tree, *_UNSEEN_TAGS, with_tail=False)
    for element in tree.iter(*_BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in tree.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def readable_text(text: str, html: bool, max_chars: int = MAX_TEXT_CHARS) -> tuple[str, bool]:
    """(the first `max_chars` characters of `text`, or of its readable text when it is HTML; whether it was cut)."""
    if html:
        text = html_to_text(text[:MAX_HTML_CHARS])
    return text[:max_chars], len(text) > max_chars


def sample_record(document: Document, html: bool = False, max_chars: int = MAX_TEXT_CHARS, **fields) -> dict:
    """What a sample shows of a document: its id, `fields` (e.g. step and reason), the metadata that decided
    (`SAMPLE_FIELDS`, scores), its text cut to `max_chars` (`text_chars`: the whole text's length)."""
    text = document.text or ""
    shown, cut = readable_text(text, html, max_chars)
    metadata = {key: _cut(value) for key, value in sorted(document.metadata.items())
                if key in SAMPLE_FIELDS or is_score_key(key)}  # fmt: skip
    return {"id": _cut(document.id), **{k: _cut(v) for k, v in fields.items()}, "metadata": metadata,
            "html": html, "text": shown, "text_chars": len(text), "text_cut": cut}  # fmt: skip


class GroupSample:
    """Per group, the `per_group` records with the smallest (key, id); ties beyond that are broken by the record
    itself, so the choice is a function of the documents alone. At most `max_groups` groups: documents of further
    groups are only counted (`refused`)."""

    def __init__(self, per_group: int = PER_GROUP, max_groups: int = MAX_GROUPS):
        self.per_group = per_group
        self.max_groups = max_groups
        self.groups: dict[str, list[tuple[str, str, str]]] = {}  # group → sorted (key, id, record as JSON)
        self.refused = 0

    def offer(self, group: str, key: str, document_id: str, make_record: Callable[[], dict]) -> bool:
        """Keep the document if it is among its group's smallest keys; `make_record` is called only then (cutting
        text and parsing HTML cost nothing for the documents not kept). True when it was kept."""
        entries = self.groups.get(group)
        if entries is None:
            if len(self.groups) >= self.max_groups:
                self.refused += 1
                return False
            entries = self.groups[group] = []
        document_id = str(document_id)
        if len(entries) >= self.per_group and (key, document_id) > entries[-1][:2]:
            return False
        record = {**make_record(), "group": group, "key": key}
        entry = (key, document_id, json.dumps(record, sort_keys=True, ensure_ascii=False))
        if entry in entries:  # the same document offered twice (a rerun's file read next to the first one's)
            return False
        bisect.insort(entries, entry)
        del entries[self.per_group :]
        return entry in entries

    def records(self) -> list[dict]:
        """Every kept record, by group then key."""
        return [json.loads(line) for group in sorted(self.groups) for _, _, line in self.groups[group]]


def write_samples(folder: DataFolderLike, name: str, records: list[dict]) -> None:
    """Write `records` as gzip JSON lines to `<folder>/<name>`, replacing the file (mtime 0: same records, same
    bytes)."""
    with get_datafolder(folder).open(name, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        for record in records:
            out.write((json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"))


def read_samples(folder: DataFolderLike, per_group: int = PER_GROUP) -> dict[str, list[dict]]:
    """group → its `per_group` records with the smallest keys, over every `*.jsonl.gz` below `folder` (the per-task
    files of one or more writers); {} when the folder does not exist."""
    folder = get_datafolder(folder)
    if not folder.exists(""):
        return {}
    merged = GroupSample(per_group, max_groups=10**9)  # the files are bounded already
    for name in sorted(folder.list_files(recursive=True, glob_pattern="**/*.jsonl.gz")):
        with folder.open(name, "rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                merged.offer(record["group"], record["key"], record["id"], lambda record=record: record)
    grouped: dict[str, list[dict]] = {}
    for record in merged.records():
        grouped.setdefault(record["group"], []).append(record)
    return grouped


def group_label(metadata: dict, keys: tuple[str, ...]) -> str:
    """`language=Python, edu_int_score=3` for `keys` ("language", "edu_int_score"); `all` without keys."""
    if not keys:
        return "all"
    return ", ".join(f"{key}={_cut(metadata.get(key), 100)}" for key in keys)


def sample_file(rank: int) -> str:
    """A task's sample file name, as datatrove names its per-rank files (`00003.jsonl.gz`)."""
    return f"{rank:05d}.jsonl.gz"


class KeptSampler(PipelineStep):
    """Sample the documents that reach it (put it just before the curated writer): per group of `group_keys`
    values (e.g. language and int score), the `per_group` with the smallest sample keys; documents pass unchanged.
    Writes `<folder>/<rank>.jsonl.gz` when its task's documents are done. Counters: `total`, `forwarded` (and
    datatrove's `doc_len`), so the report reads what the curate stage keeps here; `documents_not_sampled` when a
    task sees more than `max_groups` groups.

    Args:
        folder: where the task files go (a corpus run: `work/samples/kept`).
        group_keys: metadata keys whose values make a group (none: one group, `all`).
        per_group / seed / max_chars / max_groups: sample size per group (default 3), the hash seed (0), the
            characters of text kept (1,500), the groups a task keeps (500).
    """

    name = "🔎 Kept samples"
    type = "📊 - STATS"

    def __init__(self, folder: DataFolderLike, group_keys: tuple[str, ...] = (), per_group: int = PER_GROUP,
                 seed: int = SAMPLE_SEED, max_chars: int = MAX_TEXT_CHARS, max_groups: int = MAX_GROUPS):  # fmt: skip
        super().__init__()
        self.folder = get_datafolder(folder)
        self.group_keys = tuple(group_keys)
        self.per_group = per_group
        self.seed = seed
        self.max_chars = max_chars
        self.max_groups = max_groups

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        sample = GroupSample(self.per_group, self.max_groups)
        for document in data or ():
            self.stat_update(StatHints.total)
            group = group_label(document.metadata, self.group_keys)
            sample.offer(group, sample_key(self.seed, document.id), document.id,
                         lambda document=document: sample_record(document, max_chars=self.max_chars))  # fmt: skip
            self.stat_update(StatHints.forwarded)
            self.update_doc_stats(document)
            yield document
        if sample.refused:
            logger.warning(f"kept samples: more than {self.max_groups} groups; {sample.refused} documents unsampled")
            self.stat_update("documents_not_sampled", value=sample.refused)
        write_samples(self.folder, sample_file(rank), sample.records())
