"""MinHash and exact dedup stage wiring over datatrove (issues 4 and 5)."""
