"""Step 1 for real: mine locally sensitive topics from community text.

Sources -> posts -> noun-phrase candidates ranked by salience (and burst) -> paraphrase clusters ->
sensitivity and category mapping -> privacy-filtered ``Topic`` records. See docs/design/topic-mining.md.
Nothing is imported or loaded at import time; import the submodules you need.
"""
