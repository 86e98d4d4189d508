"""Read ``ksafe eval`` run directories for the report.

Input: run directories (``results.json``, ``responses.jsonl``, optional ``labels.csv``) and, when
reachable, the benchmark directory named by ``results.json`` (``items.jsonl`` + images).
Output: ``RunData`` records. Side effects: none (reads files only).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ksafe.errors import KsafeError
from ksafe.schema.evaluation import RunResults, ScoredResponse

RESULTS_FILE = "results.json"
RESPONSES_FILE = "responses.jsonl"
LABELS_FILES = ("labels.csv", "judge_labels.csv")
"""Human labels: a hand-made ``labels.csv``, or the sheet ``ksafe judge sample`` writes, once filled."""
LABEL_COLUMNS = ("item_id", "model", "human_verdict")


@dataclass(frozen=True)
class RunData:
    """One run directory, loaded."""

    path: Path
    """The run directory."""
    results: RunResults
    """``results.json``."""
    responses: tuple[ScoredResponse, ...]
    """``responses.jsonl``."""
    human_labels: dict[tuple[str, str], str] = field(default_factory=dict)
    """(item_id, model) -> human verdict, from ``labels.csv`` when present."""
    benchmark_dir: Path | None = None
    """The benchmark directory when it is reachable (has ``items.jsonl``)."""
    item_images: dict[tuple[str, str | None], Path] = field(default_factory=dict)
    """(item_id, g_version) -> image file, when the benchmark is reachable."""


def _load_results(path: Path) -> RunResults:
    file = path / RESULTS_FILE
    if not file.exists():
        raise KsafeError(f"{file}: missing (not a ksafe run directory; run `ksafe eval` first)")
    try:
        return RunResults.model_validate_json(file.read_text(encoding="utf-8"))
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise KsafeError(f"{file}: {loc}: {err['msg']}") from None


def _load_responses(path: Path) -> tuple[ScoredResponse, ...]:
    file = path / RESPONSES_FILE
    if not file.exists():
        raise KsafeError(f"{file}: missing (not a ksafe run directory; run `ksafe eval` first)")
    out: list[ScoredResponse] = []
    rebuild = "rerun `ksafe eval` with the same options (or `ksafe rescore`) to rebuild it"
    with file.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise KsafeError(f"{file}:{number}: not UTF-8 (a torn or damaged file); {rebuild}") from None
            if not line.strip():
                continue
            try:
                out.append(ScoredResponse.model_validate_json(line))
            except ValidationError as exc:
                err = exc.errors()[0]
                loc = ".".join(str(p) for p in err["loc"])
                where = f"{loc}: " if loc else ""
                raise KsafeError(f"{file}:{number}: {where}{err['msg']}; {rebuild}") from None
    return tuple(out)


def load_human_labels(file: Path) -> dict[tuple[str, str], str]:
    """Read ``labels.csv`` (columns item_id, model, human_verdict) into (item_id, model) -> verdict."""
    with file.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in LABEL_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise KsafeError(f"{file}: missing column(s) {', '.join(missing)}")
        return {
            (row["item_id"].strip(), row["model"].strip()): row["human_verdict"].strip()
            for row in reader
            if row["human_verdict"] and row["human_verdict"].strip()
        }


def _resolve_benchmark(run_dir: Path, benchmark: str) -> Path | None:
    if not benchmark:
        return None
    candidate = Path(benchmark).expanduser()
    for path in (candidate, run_dir / candidate, run_dir.parent / candidate):
        if (path / "items.jsonl").is_file():
            return path
    return None


def _inside(bench: Path, image: object) -> Path | None:
    """``bench / image`` when it stays inside the benchmark folder (a path from a data file), else None."""
    if not isinstance(image, str) or not image:
        return None
    path = (bench / image).resolve()
    return path if path.is_relative_to(bench.resolve()) else None


def _item_images(bench: Path) -> dict[tuple[str, str | None], Path]:
    """Map (item id, g_version) to image paths, reading items.jsonl loosely (only id/image/variants).

    An image path leaving the benchmark folder (``../photo.png``, an absolute path) is never shown.
    """
    images: dict[tuple[str, str | None], Path] = {}
    with (bench / "items.jsonl").open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue  # a damaged benchmark only costs thumbnails, never the report
            if not isinstance(row, dict):
                continue
            item_id, image = row.get("id"), _inside(bench, row.get("image"))
            if not item_id or image is None:
                continue
            images[(item_id, None)] = image
            images[(item_id, row.get("g_version"))] = image
            for variant in row.get("variants") or ():
                variant_image = _inside(bench, variant.get("image")) if isinstance(variant, dict) else None
                if variant_image is not None:
                    images[(item_id, variant.get("g_version"))] = variant_image
    return images


def load_run(path: Path) -> RunData:
    """Load one run directory.

    Args:
        path: A directory written by ``ksafe eval``.

    Returns:
        The run's results, responses, human labels and (when reachable) item images.

    Raises:
        KsafeError: When the directory or one of its files is missing or invalid.
    """
    if not path.is_dir():
        raise KsafeError(f"{path}: not a directory (expected a run directory from `ksafe eval`)")
    results = _load_results(path)
    responses = _load_responses(path)
    labels: dict[tuple[str, str], str] = {}
    for name in LABELS_FILES:
        if (path / name).exists():
            labels = load_human_labels(path / name)
            if labels:
                break
    bench = _resolve_benchmark(path, results.benchmark)
    images = _item_images(bench) if bench is not None else {}
    return RunData(path, results, responses, labels, bench, images)


def load_runs(paths: list[Path]) -> list[RunData]:
    """Load several run directories, in the order given."""
    if not paths:
        raise KsafeError("no run directory given")
    return [load_run(p) for p in paths]
