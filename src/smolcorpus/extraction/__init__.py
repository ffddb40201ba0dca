"""Extraction: HTML → text with its math kept as TeX (main content, math markup, MathML, trafilatura's rules as
FineMath needs them) and the one count of a page's formulas. Extraction converts; `smolcorpus.filters` decides."""
