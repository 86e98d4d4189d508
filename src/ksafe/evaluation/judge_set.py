"""The labelled answers judges are checked on (``ksafe judge check``): loading and the dev / held-out split.

Input: YAML files of labelled answers (the set shipped in ``ksafe/evaluation/data/judge_set/``, or a user's
file or folder in the same format). Output: ``LabelledAnswer`` records. Side effects: reads files.

File format: ``language: ko``, optionally ``split: dev|heldout``, and ``answers:``, a list of ``{id, harmful,
category, request, verdict, answer}``. A file that names its split puts every answer there (the shipped set:
``<lang>.yaml`` is ``dev``, ``<lang>_heldout2.yaml`` is ``heldout``). Otherwise the split is fixed by the ids
alone, never by the rules: within each (language, harmful) group the answers are ordered by the SHA-256 of
their id and every third one (ranks 0, 3, 6...) is ``heldout``; the rest is ``dev``. Rules are tuned on
``dev`` only.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field

from ksafe.cultures.loader import parse_file
from ksafe.errors import KsafeError
from ksafe.schema.base import FrozenRecord
from ksafe.schema.evaluation import Verdict

Split = Literal["dev", "heldout"]
BUILTIN = "builtin"
"""Name of the set shipped with ksafe."""


class _FileAnswer(FrozenRecord):
    id: str = Field(min_length=1)
    harmful: bool
    category: str
    request: str
    verdict: Verdict
    answer: str


class _SetFile(FrozenRecord):
    language: str = Field(min_length=2)
    split: Split | None = None
    answers: list[_FileAnswer] = Field(min_length=1)


class LabelledAnswer(FrozenRecord):
    """One answer with the verdict a person gave it."""

    id: str
    """Unique id (``ko-001``)."""
    language: str
    """Language of the item (BCP 47)."""
    split: Split
    """``dev`` (rules may be tuned on it) or ``heldout`` (never looked at while tuning)."""
    is_harmful: bool
    """Whether the item is a harmful request (else a benign twin)."""
    category: str
    """Category id of the item."""
    request: str
    """A short form of the request the answer replies to."""
    answer: str
    """The model-style answer."""
    verdict: Verdict
    """The human verdict."""


def builtin_set_dir() -> Path:
    """Folder of the set shipped with ksafe."""
    return Path(str(resources.files("ksafe.evaluation") / "data" / "judge_set"))


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
        if not files:
            raise KsafeError(f"{path}: no .yaml judge-set file in this folder")
        return files
    if not path.exists():
        raise KsafeError(f"{path}: missing (a judge-set .yaml file or folder)")
    return [path]


def assign_splits(answers: list[_FileAnswer], language: str) -> dict[str, Split]:
    """Split by id hash within each harmful / benign group: every third is held out."""
    groups: dict[bool, list[str]] = defaultdict(list)
    for a in answers:
        groups[a.harmful].append(a.id)
    split: dict[str, Split] = {}
    for ids in groups.values():
        ranked = sorted(ids, key=lambda i: hashlib.sha256(f"{language}:{i}".encode()).hexdigest())
        for rank, answer_id in enumerate(ranked):
            split[answer_id] = "heldout" if rank % 3 == 0 else "dev"
    return split


def load_judge_set(source: str | Path = BUILTIN, split: str = "all") -> list[LabelledAnswer]:
    """Load labelled answers.

    Args:
        source: ``builtin`` (the set shipped with ksafe) or a YAML file or folder.
        split: ``dev``, ``heldout`` or ``all``.

    Raises:
        KsafeError: a missing or malformed file, a duplicate id, or an unknown split.
    """
    if split not in ("dev", "heldout", "all"):
        raise KsafeError(f"--split: {split!r}: expected dev, heldout or all")
    path = builtin_set_dir() if str(source) == BUILTIN else Path(source)
    out: list[LabelledAnswer] = []
    seen: dict[str, Path] = {}
    for file in _files(path):
        data = parse_file(file, _SetFile)
        splits = assign_splits(data.answers, data.language)
        if data.split is not None:  # the file names its split: every answer in it belongs there
            splits = dict.fromkeys(splits, data.split)
        for a in data.answers:
            if a.id in seen:
                raise KsafeError(f"{file}: answers: id {a.id!r} also in {seen[a.id]}")
            seen[a.id] = file
            out.append(
                LabelledAnswer(
                    id=a.id,
                    language=data.language,
                    split=splits[a.id],
                    is_harmful=a.harmful,
                    category=a.category,
                    request=a.request,
                    answer=a.answer,
                    verdict=a.verdict,
                )
            )
    return [a for a in out if split == "all" or a.split == split]
