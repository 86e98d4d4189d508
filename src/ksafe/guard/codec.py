"""Moved to ``ksafe.clients.codec`` (shared by the guard and eval clients); kept so imports keep working."""

from ksafe.clients.codec import dumps, dumps_line, loads

__all__ = ["dumps", "dumps_line", "loads"]
