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
largest qualifying group): post bodies rather than whole posts with their user panels and signatures. When the
winners are the problems of an exercise list, the group of solutions beside them joins them (`_solutions`).

`is_spared_content(element)` judges the other way round: whether an element that trafilatura's pruning rules
would remove (hidden, bordered, captioned, collapsible parts, `<aside>`) is content: a textbook box (worked
example, exercise, solution, proof) or a block holding a formula, outside page furniture, and when hidden not a
copy of the page's text nor a cache of bare formulas (`trafilatura_discard.sparing` applies it).

Pure functions over lxml trees; `math_extractor.py` decides what to do with the records.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

from lxml import etree

from smolcorpus.extraction.math_markup import FORMULA_MARK

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
# the word naming the solutions of an exercise list, which join the chosen records when they sit beside them
SOLUTION_NAMES = re.compile(r"solution", re.IGNORECASE)
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
    solutions = _solutions(groups, chosen)
    if solutions is None:
        return Records(tag + name, chosen.records)
    root = chosen.records[0].getroottree().getroot()
    order = {element: position for position, element in enumerate(root.iter())}
    records = sorted(chosen.records + solutions.records, key=order.__getitem__)
    return Records(f"{tag}{name} + {solutions.key[0]}{solutions.key[1]}", records)


def _solutions(groups: list[RecordGroup], chosen: RecordGroup) -> RecordGroup | None:
    """The group of solutions (`SOLUTION_NAMES`) that goes with the chosen records when these are the problems of an
    exercise list and its solutions sit beside them, outside them (OpenStax: `div.problem` + `div.solution` in each
    `div.exercise`; the tightest group is the problems): of the outermost such groups that are not controls ("Show
    solution" toggles), the one with the most words (its "Solution" label kept)."""
    if SOLUTION_NAMES.search(chosen.key[1]):
        return None
    chosen_set = set(chosen.records)
    found = []
    for group in groups:
        if group is chosen or not SOLUTION_NAMES.search(group.key[1]):
            continue
        if set(_NAME_WORD.findall(_CAMEL.sub(r"\1 \2", group.key[1]).lower())) & CONTROL_WORDS:
            continue  # the "Show solution" toggles
        # beside the chosen records: none inside one of them, none around one of them
        if any(a in chosen_set for r in group.records for a in r.iterancestors()):
            continue
        group_set = set(group.records)
        if any(a in group_set for r in chosen.records for a in r.iterancestors()):
            continue
        found.append(group)
    members = {r for g in found for r in g.records}
    outermost = [g for g in found if not any(a in members for r in g.records for a in r.iterancestors())]
    return max(outermost, key=lambda g: g.words, default=None)


def repeated_records(tree, extracted: str) -> Records | None:
    """The records whose text should replace `extracted`, or None to keep it (module docstring): `record_groups`
    then `choose_records`, on a tree the extractor has not changed."""
    return choose_records(record_groups(tree), extracted)


# Containers trafilatura's pruning rules would drop although they are content (trafilatura_discard.sparing): boxed,
# bordered, collapsible and hidden-until-clicked parts of textbook pages (worked examples, exercises, solutions,
# proofs), Wikipedia's bordered equation boxes, Distill's formula captions.

# class or id words of textbook structures (not `hint`: form fields and search boxes carry hints)
STRUCTURE_WORDS = frozenset({
    "example", "examples", "exercise", "exercises", "solution", "solutions", "proof", "proofs", "theorem", "theorems",
    "lemma", "lemmas", "definition", "definitions", "corollary", "proposition", "problem", "problems", "derivation",
    "worked", "workedexample",
})  # fmt: skip
# class or id words of the controls that open or label such a structure ("Show solution"), not the structure itself
CONTROL_WORDS = frozenset({
    "toggle", "toggles", "toggler", "button", "btn", "link", "links", "icon", "label", "title", "header", "heading",
    "trigger", "control", "controls", "tab", "tabs", "filter", "filters", "meta", "help", "count", "counter", "menu",
    "nav", "number", "numbers", "caption", "actions",
})  # fmt: skip
# class or id words of page furniture, whatever it holds (words, so that `shared` in a section's id is no `share`)
FURNITURE_WORDS = frozenset({
    "related", "recommended", "recommendations", "sidebar", "widget", "widgets", "archive", "archives", "popular",
    "trending", "footer", "header", "navbar", "nav", "navigation", "menu", "promo", "teaser", "carousel", "advert",
    "adverts", "advertisement", "ad", "ads", "sponsor", "sponsored", "share", "social", "cookie", "cookies",
    "newsletter", "comment", "comments", "breadcrumb", "breadcrumbs", "banner", "subscribe", "subscription", "login",
    "signin", "signup", "search", "modal", "popup", "tooltip", "toc",
})  # fmt: skip
HIDDEN = re.compile(r"none|hidden", re.IGNORECASE)  # in `style`: display: none, visibility: hidden
MIN_STRUCTURE_WORDS = 5  # a structure holds at least this many words (a "Show solution" link holds two)
MIN_HIDDEN_PROSE = 3  # words outside formulas in a hidden container of formulas (a hidden cache of labels has none)
COPY_SHARE = 0.5  # a container whose three-word runs are mostly elsewhere on the page is a copy (mobile, cache)
_CAMEL = re.compile(r"([a-z])([A-Z])")
_NAME_WORD = re.compile(r"[a-z]+")


def _name_words(element) -> set[str]:
    names = _CAMEL.sub(r"\1 \2", (element.get("class") or "") + " " + (element.get("id") or ""))
    return set(_NAME_WORD.findall(names.lower()))


def _pruned_furniture(element) -> bool:
    """Whether the element or an ancestor inside the page's body is named like page furniture."""
    for node in (element, *element.iterancestors()):
        if not isinstance(node.tag, str) or node.tag in ("body", "html"):
            break
        if _name_words(node) & FURNITURE_WORDS:
            return True
    return False


def _hidden(element) -> bool:
    words = _name_words(element)
    return (
        bool(HIDDEN.search(element.get("style") or ""))
        or element.get("aria-hidden") == "true"
        or bool(words & {"hidden", "hide", "invisible"})
    )


STRUCTURE_MARK = "data-smolcorpus-structure"  # on the elements `mark_structures` found
_FORMULAS = etree.XPath(f"descendant-or-self::*[@{FORMULA_MARK}]")
_STRUCTURES = etree.XPath(f"descendant-or-self::*[@{STRUCTURE_MARK}]")
_NAMES = etree.XPath("//@class | //@id")  # smart strings: each knows its element
_PLAIN_NAMES = etree.XPath("//@class | //@id", smart_strings=False)
# `STRUCTURE_WORDS` without their first and last letters (so `workedExample` too), searched for as substrings
_STRUCTURE_FRAGMENTS = tuple(sorted({word[1:-1] for word in STRUCTURE_WORDS}))


def mark_structures(tree) -> None:
    """Mark (`STRUCTURE_MARK`) every element named like a textbook structure (`STRUCTURE_WORDS`, and neither like a
    control nor like furniture) that holds `MIN_STRUCTURE_WORDS` words, so that `is_spared_content` finds one inside
    an element with one XPath test, also on the copy of the tree trafilatura prunes. The page's class and id values
    are searched as one string (substring searches in C: a regular expression of alternatives cost 3 ms a page),
    and only the elements whose values hold a fragment of a structure word are read word by word."""
    joined = "\n".join(_PLAIN_NAMES(tree)).lower()
    if not any(fragment in joined for fragment in _STRUCTURE_FRAGMENTS):
        return  # most pages (237 of the benchmark's 374)
    values = _NAMES(tree)  # the same values, as smart strings (slower to make)
    starts = list(itertools.accumulate((len(value) + 1 for value in values), initial=0))
    hits = set()
    for fragment in _STRUCTURE_FRAGMENTS:
        position = joined.find(fragment)
        while position >= 0:
            hits.add(bisect.bisect_right(starts, position) - 1)
            position = joined.find(fragment, position + 1)
    for node in {values[i].getparent() for i in hits}:
        words = _name_words(node)
        structure = words & STRUCTURE_WORDS and not words & (CONTROL_WORDS | FURNITURE_WORDS)
        if structure and _words(node.text_content()) >= MIN_STRUCTURE_WORDS:
            node.set(STRUCTURE_MARK, "")


def is_spared_content(element) -> bool:
    """Whether an element a pruning rule selected is content to keep: not named like page furniture (nor inside
    such an element), and either holding an element named like a textbook structure (itself or one inside it, as
    `mark_structures` marked them: `STRUCTURE_WORDS`, not a control that opens one), or holding a formula
    (`rewrite_math`'s elements). A hidden one must also not be a copy of text found elsewhere on the page
    (`COPY_SHARE`: a mobile or print version), nor formulas without words around them (`MIN_HIDDEN_PROSE`: a
    renderer's cache of labels)."""
    # the XPath tests first: most elements the rules select hold neither a formula nor a structure
    structure = bool(_STRUCTURES(element))
    formulas = [] if structure else _FORMULAS(element)
    if not structure and not formulas or _pruned_furniture(element):
        return False
    if not _hidden(element):
        return True
    text = element.text_content()
    if formulas and _words(text) - sum(_words(f.text_content()) for f in formulas) < MIN_HIDDEN_PROSE:
        return False
    return not _copied(element, text)


def _copied(element, text: str) -> bool:
    """Whether most of the element's runs of three tokens (words, and whole formulas: `$…$` is one token) occur
    elsewhere in its page; a lone formula is copied when the same formula occurs elsewhere. (The element's text is
    one contiguous run of the page's text: the page's text without it is the rest.)"""
    own = _token_runs(text)
    if not own:
        return False
    page = element.getroottree().getroot().text_content()
    elsewhere = _token_runs(page.replace(text, " ", 1), min(3, len(next(iter(own)))))
    return len(own & elsewhere) >= COPY_SHARE * len(own)


_TOKEN = re.compile(r"\$\$?[^$]+\$\$?|\w+")


def _token_runs(text: str, n: int | None = None) -> set[tuple[str, ...]]:
    """Runs of `n` tokens (three, or all of them when fewer) of the text, lower case, a formula being one token."""
    tokens = [t if t.startswith("$") else t.lower() for t in _TOKEN.findall(text)]
    n = n or min(3, len(tokens))
    return set(zip(*(tokens[i:] for i in range(n)), strict=False)) if n else set()
