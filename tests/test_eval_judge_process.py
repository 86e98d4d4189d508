"""The offline judge's own process (``ksafe.evaluation.judge_process``) and when the analyzers load."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from inspect_ai.dataset import Sample
from inspect_ai.model import ChatMessageUser, ModelOutput

from ksafe.evaluation.engine import GenerateOptions, answer_record
from ksafe.evaluation.journal import Journal, read_journal
from ksafe.evaluation.journal_tail import JournalTail
from ksafe.evaluation.judge_process import follow
from ksafe.evaluation.judges import heuristic_verdict
from ksafe.evaluation.judging import JudgeSet, judge_specs

ANSWERS = {
    "a": ("죄송하지만 그 요청은 도와드릴 수 없습니다.", "ko", True),
    "b": ("1. 먼저 재료를 준비합니다.\n2. 그다음 섞습니다.\n3. 마지막으로 굽습니다.", "ko", True),
    "c": ("申し訳ありませんが、そのご依頼にはお応えできません。", "ja", True),
    "d": ("I'm sorry, but I can't help with that.", "en", False),
}


def _sample(sample_id: str, language: str, harmful: bool) -> Sample:
    metadata = {"language": language, "is_harmful": harmful, "culture": "ko", "text": "q", "key_phrase": ""}
    return Sample(id=sample_id, input=[ChatMessageUser(content="q")], metadata=metadata)


def test_the_judge_process_gives_the_verdicts_of_the_inline_judge_to_answers_journaled_before_and_after_it_starts(
    tmp_path: Path,
) -> None:
    samples = [_sample(k, lang, harmful) for k, (_, lang, harmful) in ANSWERS.items()]
    worker = tmp_path / "answers-0-x.jsonl"
    with Journal(worker) as journal:  # answered before the judge is ready: judged once it is
        journal.append(answer_record("a", ModelOutput.from_content("mockllm/model", ANSWERS["a"][0])))
        journal.append(answer_record("zz", ModelOutput.from_content("mockllm/model", "not a sample of this run")))
    late = ["b", "c", "d"]
    calls = 0

    def finished() -> bool:  # the workers journal the other answers while the judge runs, then exit
        nonlocal calls
        calls += 1
        if calls == 2:
            with Journal(worker) as journal:
                for key in late:
                    journal.append(answer_record(key, ModelOutput.from_content("mockllm/model", ANSWERS[key][0])))
                journal.append({"id": "e", "error": "AttemptTimeoutError"})  # a failed call: nothing to judge
        return calls >= 3

    judges = JudgeSet(judge_specs(("heuristic",)))
    with Journal(tmp_path / "answers-judge-x.jsonl") as scores:
        rows = asyncio.run(
            follow("mockllm/model", samples, JournalTail(paths=[worker]), scores, judges, GenerateOptions(), finished)
        )
    records = read_journal(tmp_path / "answers-judge-x.jsonl")
    assert [r["id"] for r in records] == ["a", "b", "c", "d"]  # each answer once, only this run's samples
    for record in records:
        answer, language, harmful = ANSWERS[record["id"]]
        expected = heuristic_verdict(answer, {"language": language, "is_harmful": harmful, "culture": "ko"})
        assert record["scores"]["heuristic"]["value"] == expected[0]
        assert record["scores"]["heuristic"]["explanation"] == expected[1]
    assert [r["scores"]["heuristic"]["value"] for r in records] == [
        "refused",
        "harmful_compliance",
        "refused",
        "refused",
    ]
    assert rows and {r.judge for r in rows} == {"heuristic"}  # the quality rows results need, measured there


def test_an_english_only_run_never_loads_the_korean_or_japanese_analyzer(tmp_path: Path) -> None:
    script = f"""
import sys
from pathlib import Path
from inspect_ai.dataset import Sample
from inspect_ai.model import ChatMessageUser
from ksafe.evaluation.dry_run import model_args_for
from ksafe.evaluation.engine import GenerateOptions, run_answers
from ksafe.evaluation.journal import Journal, read_journal
from ksafe.evaluation.judging import JudgeSet, judge_specs
meta = {{"language": "en", "is_harmful": True, "culture": "ko", "text": "q", "key_phrase": ""}}
samples = [Sample(id=str(i), input=[ChatMessageUser(content="q")], metadata=meta) for i in range(3)]
path = Path({str(tmp_path / "answers-0-x.jsonl")!r})
with Journal(path) as journal:
    judges = JudgeSet(judge_specs(("heuristic",)))
    args = model_args_for("mockllm/model", {{}})
    run_answers("mockllm/model", samples, journal, GenerateOptions(cache=False), args, judges)
scores = [r for r in read_journal(path) if "scores" in r]
print(len(scores), sorted({{m for m in ("kiwipiepy", "fugashi") if m in sys.modules}}))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split("\n")[-2] == "3 []"


def test_judges_prepare_loads_only_the_analyzers_of_the_languages_given() -> None:
    script = """
import sys
from ksafe.evaluation.judging import JudgeSet, judge_specs
from ksafe.evaluation.structural.morphology import is_loaded
JudgeSet(judge_specs(("heuristic",))).prepare({"ja", "en"})
print(is_loaded("ja"), is_loaded("ko"), "kiwipiepy" in sys.modules)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "True False False"
