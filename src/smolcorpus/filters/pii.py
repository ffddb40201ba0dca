"""FineWeb's email and IP anonymisation (datatrove's `PIIFormatter` patterns and replacements), counted: each
replacement adds to `replaced_emails` / `replaced_ips`, each changed document to `documents_with_pii`, so the
funnel says how much was rewritten. Replacements rotate through datatrove's placeholders (example.com/org
addresses, IPs that did not answer when that list was made), restarting for each document so that a rerun writes the
same text; only public IPs are replaced by default (192.168.x.x, 127.0.0.1 are no one's)."""

from __future__ import annotations

from datatrove.pipeline.formatters import PIIFormatter


class CountingPIIFormatter(PIIFormatter):
    """datatrove's PIIFormatter (same arguments) that counts what it replaces."""

    name = "📞 PII anonymisation"

    def format(self, text: str) -> str:
        changed = False
        for enabled, replacer, kind in ((self.remove_emails, self.emails_replacer, "emails"),
                                        (self.remove_ips, self.ip_replacer, "ips")):  # fmt: skip
            if not enabled:
                continue
            text, replaced = _replace_counting(replacer, text)
            if replaced:
                self.stat_update(f"replaced_{kind}", value=replaced)
                changed = True
        if changed:
            self.stat_update("documents_with_pii")
        return text


def _replace_counting(replacer, text: str) -> tuple[str, int]:
    """`replacer.replace(text)` (its regex, validator and rotating replacements), and how many matches it replaced."""
    count = 0

    def substitute(match) -> str:
        nonlocal count
        if replacer.validator and not replacer.validator(match.group(0)):
            return match.group(0)
        count += 1
        return replacer.replacements[(count - 1) % len(replacer.replacements)]

    return replacer.regex.sub(substitute, text), count
