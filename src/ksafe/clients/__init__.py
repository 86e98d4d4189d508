"""HTTP clients shared by ``ksafe eval`` and ``ksafe guard`` (lean paths beside Inspect's model layer)."""
