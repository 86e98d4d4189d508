"""Errors a user can fix. Messages are one line and name the file, field or value."""

from __future__ import annotations


class KsafeError(Exception):
    """Base of every user-facing error; the CLI prints it as one line and exits with code 2."""


class PackError(KsafeError):
    """A culture pack is invalid."""

    def __init__(self, file: str, field: str, message: str) -> None:
        self.file = file
        self.field = field
        super().__init__(f"{file}: {field}: {message}" if field else f"{file}: {message}")
