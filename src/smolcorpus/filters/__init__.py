"""Filters: steps that decide what a corpus keeps (math prefilter, code rules, language ID, quality, URL, PII,
decontamination), each with the pure rule it runs. Turning HTML into text is `smolcorpus.extraction`."""
