"""FineWeb's email and IP anonymisation (datatrove's `PIIFormatter` patterns and replacements), counted: each
replacement adds to `replaced_emails` / `replaced_ips`, each changed document to `documents_with_pii`, so the
funnel says how much was rewritten. Replacements rotate through datatrove's placeholders (example.com/org
addresses, IPs that did not answer when that list was made), restarting for each document so that a rerun writes the
same text; only public IPs are replaced by default (192.168.x.x, 127.0.0.1 are no one's).

datatrove's email pattern is tried from every word boundary and runs to the end of a dotted run before failing, so
a text like "a.a.a.…" costs quadratic time (80 KB: 19 s; a megabyte: hours). Here it only runs inside candidates
found by a bounded pattern (≤ 64 characters, "@", ≤ 255 characters, no spaces: an address's limits), and only in
texts holding an "@": linear in the text, the same replacements on real text (tested).
"""

from __future__ import annotations

import re

from datatrove.pipeline.formatters import PIIFormatter

EMAIL_CANDIDATE = re.compile(r"[^\s@]{1,64}@[^\s@]{1,255}")


class CountingPIIFormatter(PIIFormatter):
    """datatrove's PIIFormatter (same arguments) that counts what it replaces."""

    name = "📞 PII anonymisation"

    def format(self, text: str) -> str:
        emails = ips = 0
        if self.remove_emails:
            text, emails = _replace_emails(self.emails_replacer, text)
        if self.remove_ips:
            text, ips = _replace_counting(self.ip_replacer, text)
        for kind, replaced in (("emails", emails), ("ips", ips)):
            if replaced:
                self.stat_update(f"replaced_{kind}", value=replaced)
        if emails or ips:
            self.stat_update("documents_with_pii")
        return text


def _replace_counting(replacer, text: str, first: int = 0) -> tuple[str, int]:
    """`replacer.replace(text)` (its regex, validator and rotating replacements, the rotation starting at `first`),
    and how many matches it replaced."""
    count = 0

    def substitute(match) -> str:
        nonlocal count
        if replacer.validator and not replacer.validator(match.group(0)):
            return match.group(0)
        count += 1
        return replacer.replacements[(first + count - 1) % len(replacer.replacements)]

    return replacer.regex.sub(substitute, text), count


def _replace_emails(replacer, text: str) -> tuple[str, int]:
    """Emails replaced inside bounded candidates only (see the module docstring)."""
    if "@" not in text:
        return text, 0
    count = 0

    def in_candidate(match) -> str:
        nonlocal count
        replaced, found = _replace_counting(replacer, match.group(0), first=count)
        count += found
        return replaced

    return EMAIL_CANDIDATE.sub(in_candidate, text), count
