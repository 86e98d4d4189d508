"""Step 2: harmful queries with benign twins (C from templates, G from contextualized English seeds)."""
