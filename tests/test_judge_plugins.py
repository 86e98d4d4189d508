"""Judge specs: registered judges, a user's Inspect scorer (``scorer:``), and model strings by provider."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from inspect_ai.model import ChatMessage, ModelOutput, ModelUsage

from evalkit.fixture_benchmark import write_fixture_benchmark, write_refusals_pack
from ksafe.errors import KsafeError
from ksafe.evaluation.judge_registry import JUDGE_REGISTRY, JudgePlugin, judge_kind
from ksafe.evaluation.judging import JudgeSet, judge_specs
from ksafe.evaluation.run import RunConfig, run_eval

USER_SCORER = """
from inspect_ai.scorer import Score, Target, accuracy, scorer


@scorer(metrics=[accuracy()])
def by_length():
    async def score(state, target: Target) -> Score:
        text = state.output.completion
        if "crash" in text:
            raise RuntimeError("scorer bug")
        return Score(value="refused" if len(text) < 20 else "not-a-verdict")

    return score
"""


def _output(text: str) -> ModelOutput:
    output = ModelOutput.from_content("mockllm", text)
    output.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
    return output


@pytest.fixture(autouse=True)
def isolated_inspect(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "inspect-cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


@pytest.mark.parametrize(
    ("spec", "kind"),
    [
        ("heuristic", "registered"),
        ("openai/gpt-4o", "model"),
        ("openai-api/local/qwen", "model"),
        ("mockllm/model", "model"),
        ("scorer:mypkg/my_scorer", "scorer"),
        ("scorer:mypkg.judges:fn", "scorer"),
    ],
)
def test_spec_kinds(spec: str, kind: str) -> None:
    assert judge_kind(spec) == kind


@pytest.mark.parametrize("spec", ["mypkg/my_scorer", "heuristics", "scorer:", "gpt-4o"])
def test_a_spec_of_no_kind_is_one_line_naming_the_forms(spec: str) -> None:
    with pytest.raises(KsafeError, match=r"--judge .*(heuristic|scorer)"):
        judge_kind(spec)


def test_only_model_strings_get_model_roles() -> None:
    specs = judge_specs(("heuristic", "openai/gpt-4o", "scorer:m:f", "mockllm/model"))
    assert [j.name for j in specs] == ["heuristic", "judge", "scorer:m:f", "judge_2"]
    assert [j.label for j in specs] == ["heuristic", "openai/gpt-4o", "scorer:m:f", "mockllm/model"]
    assert JudgeSet(specs).roles == {"judge": "openai/gpt-4o", "judge_2": "mockllm/model"}


def _run(tmp_path: Path, judges: tuple[str, ...], replies: list[str]) -> dict[str, Any]:
    write_fixture_benchmark(tmp_path / "bench")
    pack = write_refusals_pack(tmp_path / "pack")
    answers = iter(replies * 100)

    def target(messages: list[ChatMessage], *_: Any) -> ModelOutput:
        return _output(next(answers))

    config = RunConfig(
        benchmark=str(tmp_path / "bench"),
        models=("mockllm/model",),
        out=tmp_path / "run",
        judges=judges,
        display="none",
        model_args={"custom_outputs": target},
        pack=str(pack),
        workers=1,
    )
    run_eval(config)
    lines = (tmp_path / "run" / "responses.jsonl").read_text(encoding="utf-8").splitlines()
    return {"responses": [json.loads(line) for line in lines]}


def test_a_users_inspect_scorer_judges_a_run_and_bad_values_are_judge_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "user_judges.py").write_text(USER_SCORER, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = "scorer:user_judges:by_length"
    out = _run(tmp_path, (spec,), ["no.", "a long answer that is not a verdict", "crash"])
    verdicts = {r["judge"]: set() for r in out["responses"]}
    for response in out["responses"]:
        verdicts[response["judge"]].add(response["verdict"])
    assert set(verdicts) == {spec}
    assert verdicts[spec] == {"refused", "judge_error"}  # neither a bad value nor a crash reads as safe
    sys.modules.pop("user_judges", None)


def test_a_registered_plugin_judge_is_named_like_heuristic(tmp_path: Path) -> None:
    from inspect_ai.scorer import Score, Scorer, Target
    from inspect_ai.solver import TaskState

    def make(options: Any) -> Scorer:
        async def score(state: TaskState, target: Target) -> Score:
            return Score(value="harmful_compliance", explanation=f"pack={options.pack is not None}")

        return score

    JUDGE_REGISTRY.register(JudgePlugin("always-complies", "test", make), distribution="ksafe-test-plugin")
    try:
        assert judge_kind("always-complies") == "registered"
        out = _run(tmp_path, ("always-complies", "heuristic"), ["죄송하지만 그 요청은 도와드릴 수 없습니다."])
    finally:
        JUDGE_REGISTRY.reset()
    by_judge: dict[str, set[str]] = {}
    for response in out["responses"]:
        by_judge.setdefault(response["judge"], set()).add(response["verdict"])
    assert by_judge["always-complies"] == {"harmful_compliance"}
    assert by_judge["heuristic"] == {"refused"}


def test_a_plugin_judge_cannot_take_a_role_name() -> None:
    with pytest.raises(KsafeError, match=r"bad.*not a valid judge.*not judge\[_N\]"):
        JUDGE_REGISTRY.register(JudgePlugin("judge_2", "x", lambda options: None), distribution="bad")  # type: ignore[arg-type,return-value]


def test_a_users_scorer_is_checked_against_the_judge_set_beside_heuristic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ksafe.evaluation.judge_quality import judge_answers
    from ksafe.evaluation.judge_set import load_judge_set

    (tmp_path / "user_judges.py").write_text(USER_SCORER, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = "scorer:user_judges:by_length"
    answers = load_judge_set("builtin", "heldout")[:6]
    try:
        verdicts = judge_answers(answers, ("heuristic", spec), max_connections=2)
    finally:
        sys.modules.pop("user_judges", None)
    assert set(verdicts) == {"heuristic", spec}  # keyed by label; the scorer judge once raised a KeyError
    # a value that is no verdict is a judge_error, as in a run
    expected = {a.id: "refused" if len(a.answer) < 20 else "judge_error" for a in answers if "crash" not in a.answer}
    assert {k: v for k, (v, _) in verdicts[spec].items() if k in expected} == expected
