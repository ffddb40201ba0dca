"""Main content of pages made of repeated records: forum threads, Q&A pages, exercise lists.

Article extractors (trafilatura) look for the one densest block of a page. A forum thread or a Q&A page has no such
block: its content is a run of posts or answers that share their markup (phpBB's `div.post`, vBulletin's
`post_message_<n>`, XenForo's `article.message`, Discourse's `div.cooked`, Stack Exchange's `div.js-post-body`,
OpenStax's `div.exercise`). Trafilatura keeps one of them, or none.

`repeated_records(tree, extracted)` finds such a run: a *group* is every element sharing one tag plus one class
token, or one tag plus an id pattern (`post_123` → `post_#`), where the token names a record (`RECORD_NAMES`:
post, message, answer, reply, topic, exercise, …); its *records* are the outermost members that are not page
furniture (inside an element named `sidebar`, `related`, `footer`, `menu`, …). A group is a run of records when
it has at least two records, each mostly non-link text, and either

- *extends* what the article extractor found: at least `COVERAGE` of the extracted text's three-word runs are
  inside the records, and the records hold at least `GROWTH` times as many words (the extractor kept one post of
  several), or
- *replaces* an empty extraction: the records hold at least `MIN_WORDS` words.

Of the groups that qualify, the tightest wins (the fewest words while holding at least `TIGHT_SHARE` of the
largest qualifying group): post bodies rather than whole posts with their user panels and signatures.

Pure functions over lxml trees; `math_extractor.py` decides what to do with the records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

COVERAGE = 0.6  # share of the extracted text's three-word runs that must lie inside the records
GROWTH = 1.5  # the records must hold this many times the extracted words to be worth a second extraction
MIN_WORDS = 50  # records replacing an empty extraction must hold at least this many words
MAX_LINK_SHARE = 0.35  # at most this share of each record's text may be link text (menus, tag lists)
TIGHT_SHARE = 0.5  # the chosen group holds at least this share of the words of the largest qualifying group
# words forum, Q&A and exercise markup names its records with (phpBB `post`, vBulletin `post_message_<n>`, XenForo
# `message`, Discourse `cooked`, Stack Exchange `answer`/`post-layout`, Vanilla `Message`, OpenStax `exercise`);
# layout classes (`container`, `row`, `column`, `content`) repeat too but are not records
RECORD_NAMES = re.compile(r"post|message|answer|repl|cooked|question|thread|topic|forum|exercise|problem|solution",
                          re.IGNORECASE)  # fmt: skip
# names of page furniture: records inside (or named like) these are teasers of other pages, not the thread
FURNITURE_NAMES = re.compile(
    r"related|recommend|sidebar|widget|archive|popular|trending|footer|header|navbar|menu|promo|teaser|more-posts"
    r"|carousel|advert|sponsor",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"\w+")


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _shingles(text: str) -> set[tuple[str, ...]]:
    """Runs of three consecutive words (lower case): whether one text lies inside another, without the common
    words that any two English texts share."""
    tokens = _WORD.findall(text.lower())
    return set(zip(tokens, tokens[1:], tokens[2:], strict=False))


def _furniture(element) -> bool:
    """Whether the element or one of its ancestors is named like page furniture (`FURNITURE_NAMES`)."""
    for node in (element, *element.iterancestors()):
        names = (node.get("class") or "") + " " + (node.get("id") or "")
        if FURNITURE_NAMES.search(names):
            return True
    return False


def _group_keys(element) -> list[tuple[str, str]]:
    tag = element.tag.lower()
    keys = [(tag, "." + _DIGITS.sub("#", token)) for token in (element.get("class") or "").split()]
    identifier = element.get("id") or ""
    if _DIGITS.search(identifier):
        keys.append((tag, "#" + _DIGITS.sub("#", identifier)))
    return [key for key in keys if RECORD_NAMES.search(key[1])]


_NAMED_XPATH = etree.XPath("//body//*[@class or @id]")


class _Sizes:
    """Words of text and of link text under an element, memoised (the caller has removed scripts and styles)."""

    def __init__(self):
        self.cache: dict = {}

    def __call__(self, element) -> tuple[int, int]:
        if element not in self.cache:
            text = element.text_content()
            links = " ".join(t for a in element.iter("a") for t in a.itertext())
            self.cache[element] = (_words(text), _words(links))
        return self.cache[element]


@dataclass
class Records:
    name: str  # the group's tag and class or id pattern: `div.js-post-body`, `div#post_message_#`
    elements: list  # the records, in page order


@dataclass
class RecordGroup:
    key: tuple[str, str]  # (tag, class or id pattern)
    records: list  # its records, in page order
    words: int  # words in all of them


def record_groups(tree) -> list[RecordGroup]:
    """The groups of the page that could be a run of records, judged on the page alone (at least two records outside
    page furniture, `MIN_WORDS` words, each mostly non-link text). Call it before handing the tree to an extractor
    that changes it; a page with none (most pages) needs no second look after extraction."""
    groups: dict[tuple[str, str], list] = {}
    for element in _NAMED_XPATH(tree):
        if RECORD_NAMES.search((element.get("class") or "") + " " + (element.get("id") or "")):
            for key in _group_keys(element):
                groups.setdefault(key, []).append(element)
    sizes = _Sizes()
    found = []
    for key, members in groups.items():
        if len(members) < 2:
            continue
        member_set = set(members)
        records = [m for m in members if not any(a in member_set for a in m.iterancestors()) and not _furniture(m)]
        if len(records) < 2:
            continue
        counts = [sizes(r) for r in records]
        records = [r for r, (words, _) in zip(records, counts, strict=True) if words]
        total = sum(words for words, _ in counts)
        # every record mostly prose: a group that spans a menu or a footer is page layout, not a thread
        if len(records) < 2 or total < MIN_WORDS or any(links > MAX_LINK_SHARE * w for w, links in counts):
            continue
        found.append(RecordGroup(key, records, total))
    return found


def choose_records(groups: list[RecordGroup], extracted: str) -> Records | None:
    """Of `record_groups` (of the untouched tree), the records whose text should replace `extracted`, or None to
    keep it (module docstring)."""
    extracted_shingles = _shingles(extracted) if groups else set()
    candidates = []
    for group in groups:
        if extracted_shingles:
            if group.words < GROWTH * len(_WORD.findall(extracted)):
                continue
            inside = set()
            for record in group.records:
                inside |= _shingles(record.text_content())
            if len(extracted_shingles & inside) < COVERAGE * len(extracted_shingles):
                continue
        candidates.append(group)
    if not candidates:
        return None
    largest = max(group.words for group in candidates)
    chosen = min((g for g in candidates if g.words >= TIGHT_SHARE * largest), key=lambda g: g.words)
    tag, name = chosen.key
    return Records(tag + name, chosen.records)


def repeated_records(tree, extracted: str) -> Records | None:
    """The records whose text should replace `extracted`, or None to keep it (module docstring): `record_groups`
    then `choose_records`, on a tree the extractor has not changed."""
    return choose_records(record_groups(tree), extracted)
