"""Model classification modes through Inspect's mockllm with custom structured outputs."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from ksafe.schema.taxonomy import Category, Domain, Taxonomy
from ksafe.topics.mining.classify import TopicCandidate
from ksafe.topics.mining.model_classifier import ModelClassifier

TAX = Taxonomy(
    domains=(Domain(id="d", name="D"),),
    categories=(
        Category(id="illegal_unethical", domain="d", name="Illegal", description="crime and fraud"),
        Category(id="privacy", domain="d", name="Privacy", description="personal data"),
        Category(id="violence", domain="d", name="Violence", description="violence"),
    ),
)
CANDS = [
    TopicCandidate("보이스피싱", ("보이스피싱", "보이스피싱 조직"), ("보이스피싱 문자 받았어요",)),
    TopicCandidate("야구", ("야구",), ("어제 야구 경기 역전승",)),
]


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No socket may connect and tiktoken's cache is empty: a token count that needs a download fails."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network access in an offline test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "tiktoken"))
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "inspect-cache"))
    yield


def mock(*answers: object) -> object:
    from inspect_ai.model import ModelOutput, ModelUsage, get_model

    outputs = [
        ModelOutput.from_content(model="mockllm/model", content=a if isinstance(a, str) else json.dumps(a))
        for a in answers
    ]
    for output in outputs:  # a usage avoids mockllm's tokenizer download
        output.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
    return get_model("mockllm/model", custom_outputs=outputs)


def test_single_mode() -> None:
    model = mock(
        {"sensitive": True, "category": "illegal_unethical", "reason": "fraud"},
        {"sensitive": False, "category": None, "reason": "sports chatter"},
    )
    decisions = ModelClassifier(model, TAX, "single", max_connections=1).classify(CANDS)  # type: ignore[arg-type]
    assert decisions[0].is_sensitive and decisions[0].categories == ("illegal_unethical",)
    assert not decisions[1].is_sensitive and "sports chatter" in decisions[1].reason


def test_multi_mode_keeps_known_ids_only() -> None:
    model = mock(
        {"sensitive": True, "categories": ["illegal_unethical", "privacy", "made_up"], "reason": "r"},
        {"sensitive": True, "categories": ["made_up"], "reason": "r"},
    )
    decisions = ModelClassifier(model, TAX, "multi", max_connections=1).classify(CANDS)  # type: ignore[arg-type]
    assert decisions[0].categories == ("illegal_unethical", "privacy")
    assert not decisions[1].is_sensitive and "no known category" in decisions[1].reason


def test_per_category_mode_asks_one_question_per_category() -> None:
    yes = {"answer": True, "reason": "yes"}
    no = {"answer": False, "reason": "no"}
    model = mock(yes, no, yes, no, no, no)
    decisions = ModelClassifier(model, TAX, "per_category", max_connections=1).classify(CANDS)  # type: ignore[arg-type]
    assert decisions[0].categories == ("illegal_unethical", "violence")
    assert not decisions[1].is_sensitive


def test_invalid_json_is_dropped_with_the_reason() -> None:
    model = mock("I cannot help with that.", {"sensitive": False, "category": None, "reason": "x"})
    decisions = ModelClassifier(model, TAX, "single", max_connections=1).classify(CANDS)  # type: ignore[arg-type]
    assert not decisions[0].is_sensitive and "not valid SingleAnswer JSON" in decisions[0].reason
