"""Quality gate of a built benchmark (``ksafe lint BENCH``).

Input: a benchmark directory (``items.jsonl``). Output: a ``LintReport`` with errors (identical harmful texts
above the allowed share, key phrases leaked into the text of non-transform items, unfilled placeholders,
Korean particle errors after the key phrase in the query and, in the wrapped texts, after the key phrase and
after a transform strategy's rewritten key phrase, ``{transformed}``), warnings (near-identical texts) and
counts per category and per kind. Side effects: none (reads only).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from ksafe.errors import KsafeError
from ksafe.schema.records import BenchmarkItem
from ksafe.text.template import choose_particle

if TYPE_CHECKING:
    from ksafe.cultures.loader import CulturePack
    from ksafe.schema.records import Query

MAX_IDENTICAL_SHARE = 0.02
"""Harmful items whose text equals another harmful item's text: at most this share (issue 11)."""

_PLACEHOLDER = re.compile(r"\{[a-z_][a-z0-9_]*(\|[^{}]*)?\}")
_PARTICLE_PAIRS = (("으로", "로"), ("을", "를"), ("이", "가"), ("은", "는"), ("과", "와"))
_CLOSING = "'\"’”」』)]"
"""Closing quotes and brackets: a particle after them attaches to the quoted word (``'bangbeop'을``)."""
_NORMALIZE = re.compile(r"[\d\s.,!?·'\"()\[\]「」『』、。！？…~-]+")


@dataclass
class LintReport:
    """What ``lint_benchmark`` found."""

    items: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    identical_share: float = 0.0
    near_identical_share: float = 0.0

    @property
    def ok(self) -> bool:
        """No errors."""
        return not self.errors

    def summary(self) -> str:
        """One line for the build's output."""
        status = "ok" if self.ok else f"{len(self.errors)} error(s)"
        return (
            f"lint: {status}, {len(self.warnings)} warning(s); {self.items} items; identical harmful texts "
            f"{self.identical_share:.1%}, near-identical {self.near_identical_share:.1%}"
        )


def read_items(bench: Path) -> list[BenchmarkItem]:
    """Every item of ``bench/items.jsonl``.

    Raises:
        KsafeError: no items file, or a line that is not a BenchmarkItem (names the line).
    """
    path = bench / "items.jsonl"
    if not path.is_file():
        raise KsafeError(f"{bench}: no items.jsonl (not a built benchmark)")
    items: list[BenchmarkItem] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(BenchmarkItem.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise KsafeError(f"{path}: line {number}: not a benchmark item ({str(exc).splitlines()[0]})") from None
    return items


def _share_repeated(keys: list[str]) -> float:
    counts = Counter(keys)
    return sum(1 for key in keys if counts[key] > 1) / len(keys) if keys else 0.0


def particle_errors(text: str, phrase: str) -> list[str]:
    """Korean particles right after ``phrase`` in ``text`` (or after a closing quote or bracket that follows it)
    that do not fit the phrase's final sound."""
    found: list[str] = []
    start = text.find(phrase)
    while phrase and start != -1:
        rest = text[start + len(phrase) :]
        closing = rest[: len(rest) - len(rest.lstrip(_CLOSING))]
        rest = rest[len(closing) :]
        for with_final, without_final in _PARTICLE_PAIRS:
            form = next((f for f in (with_final, without_final) if rest.startswith(f)), None)
            if form is None:
                continue
            after = rest[len(form) : len(form) + 1]
            if after and not (after.isspace() or after in ".,!?'\""):
                break  # 이 in 이용, 가 in 가장: not a particle
            wanted = choose_particle(phrase, f"{with_final}/{without_final}")
            if form != wanted:
                found.append(f"{phrase}{closing}{form} (should be {phrase}{closing}{wanted})")
            break
        start = text.find(phrase, start + 1)
    return found


def wrapped_particle_errors(
    texts: Mapping[str, str], key_phrase: str, transform: str | None = None, topic: str | None = None
) -> list[str]:
    """Korean particle errors in wrapped texts (name -> text) after the values substituted into the wrapper:
    the key phrase and, for a transform strategy (``transform``: its transform's name), the rewritten key
    phrase (``{transformed}``, computed as the build does from ``key_phrase`` and the C item's ``topic``)."""
    from ksafe.jailbreaks.apply import transform_key_phrase

    phrases = [key_phrase]
    if transform is not None and key_phrase.strip():
        phrases.append(transform_key_phrase(transform, key_phrase, topic))
    found: list[str] = []
    for name, text in texts.items():
        for phrase in dict.fromkeys(phrases):
            found += [f"{name}: {problem}" for problem in particle_errors(text, phrase)]
    return list(dict.fromkeys(found))


def rendered_wrapper_particle_errors(pack: CulturePack, queries: Iterable[Query]) -> tuple[int, list[str]]:
    """Render every wrapper text of ``pack`` around each of ``queries`` (its image prompt and its query, as the
    build does) and return the number of rendered texts and the Korean particle errors found in them
    (``wrapped_particle_errors``), each naming the wrapper (``Strategy#i``) and the query."""
    from ksafe.jailbreaks.apply import apply_strategy, wrapper_texts
    from ksafe.jailbreaks.registry import get_strategy

    rendered = 0
    found: list[str] = []
    for name, entry in pack.jailbreaks.jailbreaks.items():
        transform = get_strategy(name).requires_transform
        for index, text in enumerate(wrapper_texts(entry)):
            single = entry.model_copy(update={"template": text, "variants": []})
            for query in queries:
                topic = query.topic if query.subset == "C" else None
                texts = {
                    side: apply_strategy(name, single, text=value, key_phrase=query.key_phrase, topic=topic)
                    for side, value in (("text", query.prompt), ("text_only", query.query))
                }
                rendered += len(texts)
                errors = wrapped_particle_errors(texts, query.key_phrase, transform, topic)
                found += [f"{name}#{index} / {query.id[:12]} ({query.template_id}): {e}" for e in errors]
    return rendered, found


def lint_items(
    items: list[BenchmarkItem],
    transform_strategies: set[str],
    max_identical: float = MAX_IDENTICAL_SHARE,
    transforms: Mapping[str, str] | None = None,
) -> LintReport:
    """Check built items; ``transform_strategies`` are the strategies allowed to show the (transformed) phrase,
    ``transforms`` names each one's transform (to check particles after ``{transformed}`` in wrapped texts)."""
    report = LintReport(items=len(items))
    harmful = [i for i in items if i.is_harmful]
    report.identical_share = _share_repeated([i.text for i in harmful])
    report.near_identical_share = _share_repeated([_NORMALIZE.sub("", i.text).lower() for i in harmful])
    if report.identical_share > max_identical:
        report.errors.append(
            f"identical harmful texts: {report.identical_share:.1%} of {len(harmful)} (at most {max_identical:.0%})"
        )
    if report.near_identical_share > 2 * max(max_identical, report.identical_share):
        report.warnings.append(
            f"near-identical harmful texts (digits, spaces, punctuation aside): {report.near_identical_share:.1%}"
        )
    for item in items:
        where = f"{item.id[:12]} ({item.category}, {item.strategy}, {item.image_kind})"
        for name, value in (("key_phrase", item.key_phrase), ("query", item.query), ("text", item.text)):
            match = _PLACEHOLDER.search(value)
            if match:
                report.errors.append(f"{where}: unfilled placeholder {match.group(0)} in {name}")
        if item.strategy not in transform_strategies and item.key_phrase and item.key_phrase in item.text:
            report.errors.append(f"{where}: key phrase {item.key_phrase!r} leaked into the text sent with the image")
        if item.language.split("-")[0] == "ko":
            for problem in particle_errors(item.query, item.key_phrase):
                report.errors.append(f"{where}: particle error in query: {problem}")
            texts = {"text": item.text, "text_only": item.text_only}
            topic = item.topic if item.subset == "C" else None
            for problem in wrapped_particle_errors(
                texts, item.key_phrase, (transforms or {}).get(item.strategy), topic
            ):
                report.errors.append(f"{where}: particle error in {item.wrapper or item.strategy} {problem}")
    report.counts = {
        "category": dict(sorted(Counter(i.category for i in harmful).items())),
        "strategy": dict(sorted(Counter(i.strategy for i in harmful).items())),
        "image_kind": dict(sorted(Counter(i.image_kind for i in harmful).items())),
        "benign_kind": dict(sorted(Counter(str(i.benign_kind) for i in items if not i.is_harmful).items())),
        "subset": dict(sorted(Counter(i.subset for i in harmful).items())),
    }
    for category, n in report.counts["category"].items():
        if n and not any(i.category == category and i.benign_kind == "plain" for i in items):
            report.errors.append(f"category {category}: harmful items without plain benign twins")
    return report


def lint_benchmark(bench: Path, max_identical: float = MAX_IDENTICAL_SHARE) -> LintReport:
    """Read ``bench`` and lint its items."""
    from ksafe.jailbreaks.registry import list_strategies

    transforms = {s.name: s.requires_transform for s in list_strategies() if s.requires_transform}
    return lint_items(read_items(bench), set(transforms), max_identical, transforms)
