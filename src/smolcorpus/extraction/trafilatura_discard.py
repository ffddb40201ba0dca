"""trafilatura's discard rules (the XPath expressions that prune navigation, footers, share bars, hidden parts),
evaluated with one regular expression per attribute: the same elements in the same order, 3.4x faster.

Before it looks for the main text, trafilatura 1.11 prunes the page with a few XPath expressions such as
`.//*[(self::div or self::p)][contains(@id, "footer") or contains(@class, "share-") or ...]`, each with up to a hundred
`contains`/`starts-with` tests; with `favor_precision` it runs them on the page and again on the copy its fallback
extractors read. libxml2 evaluates every test on every element: on the shared test pages (`benchmarks/finemath`) that
pass the math prefilter this pruning is 39% of extraction time (0.2 s on a 1 MB Wikipedia page).

Each such expression is a disjunction of tests on attribute values, so it compiles to one regular expression per
attribute (`contains(@class, "x")` → `x`, `starts-with(@id, "x")` → `\\Ax`, `translate(@id, "F", "f")` → `[Ff]`,
`@a="x"` → `\\Ax\\Z`, `@a` → the empty pattern): an element matches when one of its attributes matches its
pattern. `compile_rule` accepts exactly that grammar and returns None for anything else (a union, `and`, `not`,
an empty needle). `compiled_rules()` puts the rules into trafilatura's own lists for the duration of an extraction
(the expressions that did not compile keep running as XPath). tests/extraction/test_trafilatura_discard.py checks, on
the shared test pages, that each compiled rule selects the same elements as its XPath and that the extracted
text is the same; over all 665 shared pages it is.

The main-content expressions (`BODY_XPATH`: `(.//*[(self::article or self::div)][contains(@class, "post-text") or
...])[1]`, tried in turn until one finds a container) are of the same grammar with a `[1]`, and trafilatura takes
only the first element each selects: `compile_first` makes a `FirstRule`, which returns that element and stops
there (libxml2 evaluated every test on every element: 2.3 ms a math page). `compiled_rules()` puts them in place too.

`sparing(keep)` makes the rules that prune the main content leave alone what `keep` accepts (smolcorpus passes
`main_content.is_spared_content`: textbook boxes and blocks holding formulas, such as Wikipedia's bordered
equation boxes, which the precision rule `contains(@style, "border")` drops).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# the lists of trafilatura.xpaths that trafilatura only ever calls as `expression(tree)` in prune_unwanted_nodes
DISCARD_LISTS = (
    "OVERALL_DISCARD_XPATH", "PAYWALL_DISCARD_XPATH", "TEASER_DISCARD_XPATH", "PRECISION_DISCARD_XPATH",
    "DISCARD_IMAGE_ELEMENTS", "REMOVE_COMMENTS_XPATH", "COMMENTS_DISCARD_XPATH",
)  # fmt: skip

_STRING = r"""(?:"([^"]*)"|'([^']*)')"""
_ATTRIBUTE = r"@([a-zA-Z][\w-]*)"
# `.//*` or `.//tag`, an optional tag filter `[(self::a or self::b)]`, an optional predicate `[...]`
_RULE = re.compile(
    r"\s*\.//(\*|[a-zA-Z][\w-]*)\s*(?:\[\s*\(\s*(self::[\w-]+(?:\s+or\s+self::[\w-]+)*)\s*\)\s*\])?\s*(?:\[(.*)\])?\s*",
    re.DOTALL,
)
# one test of the predicate: contains/starts-with of an attribute (translated or not), equality, presence
_TEST = re.compile(
    rf"\s*(?:(contains|starts-with)\(\s*(?:translate\(\s*{_ATTRIBUTE}\s*,\s*{_STRING}\s*,\s*{_STRING}\s*\)"
    rf"|{_ATTRIBUTE})\s*,\s*{_STRING}\s*\)|{_ATTRIBUTE}\s*=\s*{_STRING}|{_ATTRIBUTE})\s*"
)
_OR = re.compile(r"or\b")


@dataclass
class AttributeRule:
    """A compiled discard rule: `rule(tree)` returns the descendants of `tree` (elements only, in document order)
    whose tag is in `tags` (any tag when None) and that have an attribute matching its pattern in `patterns`
    (every such descendant when `patterns` is None: a rule without a predicate)."""

    path: str  # the XPath source, as trafilatura wrote it
    tags: tuple[str, ...] | None
    patterns: tuple[tuple[str, re.Pattern], ...] | None

    def __call__(self, tree) -> list:
        context = None  # a document's `.//*` starts at its root element, an element's below it
        if hasattr(tree, "getroot"):
            tree = tree.getroot()
        else:
            context = tree
        patterns = self.patterns
        found = []
        for element in tree.iter(*self.tags) if self.tags else tree.iter():
            if element is context or not isinstance(element.tag, str):  # comments, PIs: not `*`
                continue
            if patterns is None:
                found.append(element)
                continue
            for attribute, pattern in patterns:
                value = element.get(attribute)
                if value is not None and pattern.search(value):
                    found.append(element)
                    break
        return found

    def accepts(self, element) -> bool:
        """Whether the rule selects `element` (an element below its context)."""
        if self.tags and element.tag not in self.tags:
            return False
        if self.patterns is None:
            return True
        for attribute, pattern in self.patterns:
            value = element.get(attribute)
            if value is not None and pattern.search(value):
                return True
        return False


@dataclass
class FirstRule:
    """A compiled main-content expression: `rule(tree)` returns the first element in page order that one of `rules`
    selects (a list of one, or empty), which is the first element its XPath selects, and all of it that trafilatura
    reads (`next(iter(expression(tree)))`)."""

    path: str  # the XPath source, as trafilatura wrote it
    rules: tuple[AttributeRule, ...]

    def __call__(self, tree) -> list:
        context = None
        if hasattr(tree, "getroot"):
            tree = tree.getroot()
        else:
            context = tree
        tags = None if any(rule.tags is None for rule in self.rules) else {t for r in self.rules for t in r.tags}
        for element in tree.iter(*tags) if tags else tree.iter():
            if element is context or not isinstance(element.tag, str):
                continue
            if any(rule.accepts(element) for rule in self.rules):
                return [element]
        return []


def _needle_pattern(needle: str, source: str, target: str) -> str | None:
    """A regular expression matching `needle` inside a value after XPath translate(value, source, target); None
    for a translate that deletes characters (not handled: the XPath stays)."""
    if len(source) != len(target):
        return None
    pattern = []
    for char in needle:
        # the characters that become `char`: those mapped to it, and itself unless it is mapped to another
        sources = {s for s, t in zip(source, target, strict=True) if t == char}
        if char not in source:
            sources.add(char)
        if not sources:  # nothing translates to this character: the needle can never match
            return r"(?!)"
        if sources == {char}:
            pattern.append(re.escape(char))
        else:
            pattern.append("[" + "".join(re.escape(s) for s in sorted(sources)) + "]")
    return "".join(pattern)


def _predicate_patterns(predicate: str) -> tuple[tuple[str, re.Pattern], ...] | None:
    """{attribute: alternation} for a disjunction of attribute tests, or None outside the grammar."""
    alternatives: dict[str, list[str]] = {}
    position = 0
    while True:
        test = _TEST.match(predicate, position)
        if test is None:
            return None
        (function, translated, source1, source2, target1, target2, plain, needle1, needle2,
         equal, value1, value2, present) = test.groups()  # fmt: skip
        if function:
            needle = needle1 if needle1 is not None else needle2
            if not needle:  # contains(x, "") is true even without the attribute
                return None
            if translated:
                source = source1 if source1 is not None else source2
                target = target1 if target1 is not None else target2
                pattern = _needle_pattern(needle, source, target)
                if pattern is None:
                    return None
            else:
                pattern = re.escape(needle)
            attribute = translated or plain
            if function == "starts-with":
                pattern = r"\A" + pattern
        elif equal:
            attribute = equal
            pattern = r"\A" + re.escape(value1 if value1 is not None else value2) + r"\Z"
        else:
            attribute, pattern = present, ""  # presence: any value, the empty one included
        alternatives.setdefault(attribute, []).append(pattern)
        position = test.end()
        if position == len(predicate):
            break
        joint = _OR.match(predicate, position)
        if joint is None:
            return None
        position = joint.end()
    return tuple((attribute, re.compile("|".join(patterns))) for attribute, patterns in alternatives.items())


def compile_rule(path: str) -> AttributeRule | None:
    """The rule for XPath source `path`, or None when it is not a disjunction of attribute tests (module doc)."""
    rule = _RULE.fullmatch(path)
    if rule is None:
        return None
    tag, tag_filter, predicate = rule.groups()
    tags = None
    if tag != "*":
        if tag_filter:  # `.//p[(self::div)]`: never written, not handled
            return None
        tags = (tag,)
    elif tag_filter:
        tags = tuple(re.split(r"\s+or\s+", tag_filter.replace("self::", "")))
    patterns = None
    if predicate is not None:
        patterns = _predicate_patterns(predicate)
        if patterns is None:
            return None
    return AttributeRule(path, tags, patterns)


_FIRST = re.compile(r"\s*(?:\((.*)\)|(.*\]))\s*\[\s*1\s*\]\s*", re.DOTALL)  # `(path)[1]` or `path[...][1]`
_UNION = re.compile(r"(?<=\])\s*\|\s*(?=\()")  # `(a)[1] | (b)[1]`


def compile_first(path: str) -> FirstRule | None:
    """The `FirstRule` for XPath source `path`: a union of `(rule)[1]` or `rule[1]` where each rule is in
    `compile_rule`'s grammar; None otherwise. Of `rule[1]` (the first match among each element's children) the first
    in page order is the first match in page order, as of `(rule)[1]`."""
    rules = []
    for part in _UNION.split(path):
        first = _FIRST.fullmatch(part)
        rule = compile_rule(first[1] if first[1] is not None else first[2]) if first else None
        if rule is None:
            return None
        rules.append(rule)
    return FirstRule(path, tuple(rules))


# the lists of main-content expressions that trafilatura only ever reads the first element of
FIRST_LISTS = ("BODY_XPATH",)

_COMPILED: dict[str, list] = {}  # list name → the list with every expression that compiles replaced


def _compiled_lists() -> dict[str, list]:
    from trafilatura import xpaths

    if not _COMPILED:
        for name in DISCARD_LISTS:
            _COMPILED[name] = [compile_rule(e.path) or e for e in getattr(xpaths, name)]
        for name in FIRST_LISTS:
            _COMPILED[name] = [compile_first(e.path) or e for e in getattr(xpaths, name)]
    return _COMPILED


@contextlib.contextmanager
def compiled_rules() -> Iterator[None]:
    """For the duration, trafilatura's discard and main-content lists hold the compiled rules (the expressions that
    do not compile stay XPath); the XPath expressions are back afterwards, for any other trafilatura user of the
    process (such as datatrove's Trafilatura step in a baseline). The lists are changed in place, where
    trafilatura's modules refer to them; nesting is fine."""
    from trafilatura import xpaths

    saved = {}
    for name, compiled in _compiled_lists().items():
        expressions = getattr(xpaths, name)
        saved[name] = expressions[:]
        expressions[:] = compiled
    try:
        yield
    finally:
        for name, expressions in saved.items():
            getattr(xpaths, name)[:] = expressions


# the lists whose rules prune the main content before trafilatura looks for it (the comment lists stay as they are)
SPARING_LISTS = ("OVERALL_DISCARD_XPATH", "PAYWALL_DISCARD_XPATH", "TEASER_DISCARD_XPATH", "PRECISION_DISCARD_XPATH",
                 "DISCARD_IMAGE_ELEMENTS")  # fmt: skip


@dataclass
class SparingRule:
    """A discard rule (compiled or XPath) that leaves out of its selection the elements `keep` accepts."""

    rule: Callable
    keep: Callable

    def __call__(self, tree) -> list:
        return [element for element in self.rule(tree) if not self.keep(element)]


@contextlib.contextmanager
def sparing(keep: Callable) -> Iterator[None]:
    """For the duration, the discard rules that prune the main content (`SPARING_LISTS`: navigation, footers,
    hidden, bordered, captioned, teaser parts) select no element for which `keep(element)` is true; the rules are
    back afterwards. Nests with `compiled_rules()` (inside it, the compiled rules are wrapped)."""
    from trafilatura import xpaths

    saved = {}
    for name in SPARING_LISTS:
        expressions = getattr(xpaths, name)
        saved[name] = expressions[:]
        expressions[:] = [SparingRule(rule, keep) for rule in expressions]
    try:
        yield
    finally:
        for name, expressions in saved.items():
            getattr(xpaths, name)[:] = expressions
