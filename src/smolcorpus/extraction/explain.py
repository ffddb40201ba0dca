"""What `smolcorpus extract` says about one page's extraction: a one-line summary of the formulas found (the
header it writes to stderr) and, for `--explain`, how the main content was chosen and each formula's fate."""

from __future__ import annotations

from smolcorpus.extraction.math_extractor import Extraction


def summary_line(result: Extraction, name: str) -> str:
    """`<!-- NAME: formulas: N (kind n, ...); C characters -->`: the page's formulas as every count has them
    (`formula_count.page_formulas`: the same total as `explain`'s)."""
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(result.math.found.items()))
    found = f"{result.math.total} ({kinds})" if result.math.total else "none"
    return f"<!-- {name}: formulas: {found}; {len(result.text):,} characters -->"


def explain(result: Extraction, name: str) -> str:
    """How the main content was chosen, formulas found and kept per kind, and the ones that did not reach the text
    (`result` extracted with `inventory=True`)."""
    lines = [f"{name}: {len(result.text):,} characters of text"]
    if result.main_content == "article":
        lines.append("main content: the article block trafilatura chose")
    else:
        lines.append(f"main content: {result.main_content}, each extracted (a thread, Q&A page or exercise list)")
    counts: dict[str, list[int]] = {}
    for formula in result.formulas:
        row = counts.setdefault(formula.kind, [0, 0])
        row[0] += 1
        row[1] += formula.kept
    lines.append(f"{'formulas by kind':<24}{'found':>7}{'kept':>7}")
    for kind, (found, kept) in sorted(counts.items()):
        lines.append(f"  {kind:<22}{found:>7}{kept:>7}")
    lines.append(f"  {'total':<22}{len(result.formulas):>7}{sum(f.kept for f in result.formulas):>7}")
    if result.math.errors:
        lines.append(f"broken formulas skipped (unparsable markup): {result.math.errors}")
    dropped = [f for f in result.formulas if not f.kept]
    if dropped:
        lines.append("not in the text (outside the main content, or in a block the extractor dropped):")
        lines += [f"  [{f.kind}] {f.tex if len(f.tex) <= 100 else f.tex[:97] + '...'}" for f in dropped]
    return "\n".join(lines)
