"""``ksafe culture draft``: a culture pack written by a generator model (docs/design/drafting.md)."""
