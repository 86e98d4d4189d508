"""Writing a built benchmark: items.jsonl, parquet with an image column, dataset card, manifest."""
