"""Judge calibration against human labels.

``write_label_sheet``: a run's ``responses.jsonl`` -> a CSV labelling sheet (a seeded, stratified
sample of judged answers, with each item's image path and key phrase from the run's benchmark; the judge's
verdict is not on the sheet).
``label_agreement``: the run plus a filled sheet -> percent agreement and Cohen's kappa of each judge
against the human labels, overall and per category.
Side effects: ``write_label_sheet`` writes one CSV file; nothing else writes.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from ksafe.errors import KsafeError
from ksafe.evaluation.metrics import agreement
from ksafe.evaluation.outputs import RESPONSES_FILE
from ksafe.fileio import write_text_atomic
from ksafe.jsonl import jsonl_lines
from ksafe.schema.evaluation import MODEL_VERDICTS, JudgeAgreement, ScoredResponse

SHEET_COLUMNS = (
    "key",
    "model",
    "item_id",
    "g_version",
    "category",
    "is_harmful",
    "language",
    "image",
    "key_phrase",
    "text",
    "response",
    "human_verdict",
    "notes",
)
LABEL_CHOICES = (*MODEL_VERDICTS, "skip")
ITEMS = "items.jsonl"


def read_responses(out: Path) -> list[ScoredResponse]:
    """Read ``responses.jsonl`` of a run directory."""
    path = out / RESPONSES_FILE
    if not path.exists():
        raise KsafeError(f"{path}: missing (run `ksafe eval` first)")
    responses: list[ScoredResponse] = []
    for number, line in jsonl_lines(path.read_text(encoding="utf-8")):
        try:
            responses.append(ScoredResponse.model_validate_json(line))
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(part) for part in first["loc"]) or "line"
            raise KsafeError(f"{path}:{number}: {loc}: {first['msg']}") from None
    return responses


def item_details(out: Path) -> dict[tuple[str, str], tuple[str, str]] | None:
    """(item id, G version or "") -> (absolute image path, key phrase), from the run's benchmark.

    Read loosely from the ``items.jsonl`` of the benchmark named in ``run.json``; an image path that does not
    resolve inside the benchmark folder is left blank. None when the benchmark cannot be found.
    """
    try:
        benchmark = str(json.loads((out / "run.json").read_text(encoding="utf-8")).get("benchmark") or "")
    except (OSError, ValueError, AttributeError):
        return None
    candidate = Path(benchmark).expanduser()
    found = [p for p in (candidate, out / candidate, out.parent / candidate) if benchmark and (p / ITEMS).is_file()]
    if not found:
        return None
    root = found[0].resolve()
    details: dict[tuple[str, str], tuple[str, str]] = {}

    def inside(image: object) -> str:
        path = (root / str(image or "")).resolve()
        return str(path) if image and path.is_relative_to(root) and path.is_file() else ""

    for _, line in jsonl_lines((root / ITEMS).read_text(encoding="utf-8", errors="replace")):
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if not isinstance(row, dict) or not row.get("id"):
            continue
        entry = (inside(row.get("image")), str(row.get("key_phrase") or ""))
        details.setdefault((row["id"], ""), entry)
        details[(row["id"], str(row.get("g_version") or ""))] = entry
        for variant in row.get("variants") or ():
            if isinstance(variant, dict) and variant.get("g_version"):
                details[(row["id"], variant["g_version"])] = (
                    inside(variant.get("image")),
                    str(variant.get("key_phrase") or ""),
                )
    return details


def response_key(r: ScoredResponse) -> str:
    """Key of one answer (model x item x G version), shared by every judge of it."""
    return f"{r.model}|{r.item_id}|{r.g_version or ''}"


def write_label_sheet(out: Path, sheet: Path, n: int = 100, seed: int = 0) -> int:
    """Write a labelling sheet of ``n`` answers (judged answers only), stratified by category.

    Returns:
        The number of rows written.
    """
    answers: dict[str, ScoredResponse] = {}
    for r in read_responses(out):
        if r.verdict in MODEL_VERDICTS:
            answers.setdefault(response_key(r), r)
    by_category: dict[str, list[ScoredResponse]] = defaultdict(list)
    for r in sorted(answers.values(), key=response_key):
        by_category[r.category].append(r)
    rng = random.Random(seed)
    for group in by_category.values():
        rng.shuffle(group)
    chosen: list[ScoredResponse] = []
    while len(chosen) < n and any(by_category.values()):
        for category in sorted(by_category):
            if by_category[category] and len(chosen) < n:
                chosen.append(by_category[category].pop())
    details = item_details(out) or {}
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(SHEET_COLUMNS)
    for r in chosen:
        image, key_phrase = details.get((r.item_id, r.g_version or ""), ("", ""))
        writer.writerow(
            [
                response_key(r),
                r.model,
                r.item_id,
                r.g_version or "",
                r.category,
                r.is_harmful,
                r.language,
                image,
                _cell(key_phrase),
                _cell(r.text),
                _cell(r.response),
                "",
                "",
            ]
        )
    write_text_atomic(sheet, buffer.getvalue())  # a killed command never leaves half a sheet
    return len(chosen)


def _cell(text: str) -> str:
    """Model text for a spreadsheet: a leading =, +, - or @ would run as a formula, so it is quoted."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@dataclass(frozen=True)
class AgreementReport:
    """Agreement of each judge with human labels, overall and per category."""

    overall: tuple[JudgeAgreement, ...]
    per_category: dict[str, tuple[JudgeAgreement, ...]]


def read_labels(sheet: Path) -> dict[str, str]:
    """Read human verdicts from a filled sheet (rows left empty or ``skip`` are ignored)."""
    if not sheet.exists():
        raise KsafeError(f"{sheet}: missing")
    labels: dict[str, str] = {}
    with sheet.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or "key" not in reader.fieldnames or "human_verdict" not in reader.fieldnames:
            raise KsafeError(f"{sheet}: expected columns key and human_verdict (from `ksafe judge sample`)")
        for number, row in enumerate(reader, start=2):
            verdict = (row.get("human_verdict") or "").strip().lower()
            if not verdict or verdict == "skip":
                continue
            if verdict not in MODEL_VERDICTS:
                raise KsafeError(
                    f"{sheet}:{number}: human_verdict: {verdict!r}: expected one of {', '.join(LABEL_CHOICES)}"
                )
            labels[row["key"]] = verdict
    if not labels:
        raise KsafeError(f"{sheet}: no labelled rows (fill the human_verdict column)")
    return labels


def label_agreement(out: Path, sheet: Path) -> AgreementReport:
    """Compare every judge of the run with the human labels in ``sheet``."""
    labels = read_labels(sheet)
    judged: dict[str, dict[str, ScoredResponse]] = defaultdict(dict)
    for r in read_responses(out):
        if response_key(r) in labels:
            judged[r.judge][response_key(r)] = r
    if not judged:
        raise KsafeError(f"{sheet}: no labelled key matches a response of {out}")
    overall: list[JudgeAgreement] = []
    per_category: dict[str, list[JudgeAgreement]] = defaultdict(list)
    for judge in sorted(judged):
        rows = judged[judge]
        keys = sorted(rows)
        overall.append(agreement("human", judge, [labels[k] for k in keys], [rows[k].verdict for k in keys]))
        for category in sorted({rows[k].category for k in keys}):
            ks = [k for k in keys if rows[k].category == category]
            per_category[category].append(
                agreement("human", judge, [labels[k] for k in ks], [rows[k].verdict for k in ks])
            )
    return AgreementReport(tuple(overall), {k: tuple(v) for k, v in per_category.items()})


def record_human_agreement(out: Path, report: AgreementReport) -> None:
    """Add the overall human agreement to ``results.json`` and write ``tables/human_agreement.csv``."""
    from ksafe.evaluation.outputs import RESULTS_FILE, TABLES_DIR
    from ksafe.schema.evaluation import RunResults

    rows = [["scope", "judge", "n", "percent_agreement", "cohen_kappa"]]
    rows += [["overall", a.b, str(a.n), str(a.percent_agreement), str(a.cohen_kappa)] for a in report.overall]
    for category, group in sorted(report.per_category.items()):
        rows += [[category, a.b, str(a.n), str(a.percent_agreement), str(a.cohen_kappa)] for a in group]
    table = out / TABLES_DIR / "human_agreement.csv"
    table.parent.mkdir(parents=True, exist_ok=True)
    with table.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    path = out / RESULTS_FILE
    if path.exists():
        results = RunResults.model_validate_json(path.read_text(encoding="utf-8"))
        kept = tuple(a for a in results.judge_agreement if a.a != "human")
        updated = results.model_copy(update={"judge_agreement": kept + report.overall})
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(updated.model_dump_json(indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)
