"""Writers datatrove lacks: the drop ledger, curated Parquet with the corpus columns, the funnel summary."""
