"""Filters: math extraction, math and code rules, language ID, decontamination (issues 4 and 5)."""
