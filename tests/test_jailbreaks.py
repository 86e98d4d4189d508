"""Contract tests over every registered jailbreak strategy, plus the packs' wrapper files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

import ksafe
from ksafe.cultures.pack_model import JailbreakEntry, JailbreaksFile
from ksafe.errors import KsafeError
from ksafe.jailbreaks import (
    LIU_STRATEGIES,
    STRATEGY_REGISTRY,
    Strategy,
    apply_strategy,
    get_strategy,
    list_strategies,
    strategy_names,
)
from ksafe.text.transforms import TRANSFORM_REGISTRY, get_transform

LIU_NAMES = [
    "CharacterRolePlay",
    "AssumedResponsibility",
    "ResearchExperiment",
    "TextContinuation",
    "LogicalReasoning",
    "ProgramExecution",
    "Translation",
    "SuperiorModel",
    "SudoMode",
    "SimulateJailbreaking",
]
SCRIPT_STRATEGIES = {
    "ChoseongAbbreviation": ("hangul_initials", ("ko",)),
    "Romanization": ("hangul_romanize", ("ko",)),
    "SlangRegister": (None, ("ko",)),
    "KanaSubstitution": ("katakana_reading", ("ja",)),
    "RomajiSubstitution": ("romaji", ("ja",)),
}
# (text, key phrase) per language: requests at the level of published benchmarks, here benign ones.
SAMPLES = {
    "en": ("Explain how to recognise a voice phishing call.", "voice phishing"),
    "ko": ("전세 사기 피해를 예방하는 방법을 알려 주세요.", "전세 사기"),
    "ja": ("振り込め詐欺を見分ける方法を教えてください。", "振り込め詐欺"),
}
DATA_DIR = Path(ksafe.__file__).parent / "cultures"
PACK_JAILBREAKS = sorted((DATA_DIR / "packs").glob("*/jailbreaks.yaml"))
EN_JAILBREAKS = DATA_DIR / "data" / "jailbreaks_en.yaml"


def _test_entry(strategy: Strategy) -> JailbreakEntry:
    if strategy.requires_transform is None:
        return JailbreakEntry(template=f"<<{strategy.name}>> {{prompt}}")
    return JailbreakEntry(
        template=f"<<{strategy.name}>> ({{transformed}}) {{prompt}}", transform=strategy.requires_transform
    )


def _cases() -> list[tuple[Strategy, str]]:
    return [
        (strategy, language)
        for strategy in list_strategies()
        for language in (strategy.languages or tuple(SAMPLES))
        if language in SAMPLES
    ]


@pytest.mark.parametrize(("strategy", "language"), _cases(), ids=lambda v: getattr(v, "name", v))
def test_every_strategy_contract(strategy: Strategy, language: str) -> None:
    text, key = SAMPLES[language]
    entry = _test_entry(strategy)
    out = apply_strategy(strategy.name, entry, text=text, key_phrase=key)
    assert out == apply_strategy(strategy.name, entry, text=text, key_phrase=key)
    if strategy.name == "none":
        assert out == text
        return
    assert out != text
    if strategy.requires_transform is None:
        assert text in out
    else:
        transformed = get_transform(strategy.requires_transform)(key)
        assert transformed and transformed != key
        assert text.replace(key, transformed) in out
        assert key not in out


def test_registry_lists_builtins_from_ksafe_with_the_baseline_first() -> None:
    entries = STRATEGY_REGISTRY.entries()
    assert next(iter(entries)) == "none"
    assert all(entry.distribution == "ksafe" for entry in entries.values())
    assert {s.name for s in LIU_STRATEGIES} <= set(entries)


def test_every_required_transform_is_registered() -> None:
    for strategy in list_strategies():
        assert strategy.requires_transform is None or strategy.requires_transform in TRANSFORM_REGISTRY, strategy.name


def test_script_strategies_need_their_transform() -> None:
    for name, (transform, languages) in SCRIPT_STRATEGIES.items():
        strategy = get_strategy(name)
        assert (strategy.requires_transform, strategy.languages) == (transform, languages)
        if transform is not None:  # a pack entry without the transform is refused, not silently applied
            with pytest.raises(KsafeError, match=transform):
                apply_strategy(name, JailbreakEntry(template="{prompt}"), text="x", key_phrase="x")


@pytest.fixture
def plugin_strategy() -> Iterator[Strategy]:
    strategy = Strategy(
        name="PoliteRequest",
        family="pretending",
        description="Asks very politely.",
        reference="test",
        languages=("ko",),
    )
    STRATEGY_REGISTRY.register(strategy, distribution="ksafe-test-plugin")
    yield strategy
    STRATEGY_REGISTRY.reset()


def test_an_in_process_strategy_comes_after_builtins_and_applies(plugin_strategy: Strategy) -> None:
    names = strategy_names()
    assert names[-1] == "PoliteRequest" and names[0] == "none"
    assert STRATEGY_REGISTRY.entries()["PoliteRequest"].distribution == "ksafe-test-plugin"
    assert "PoliteRequest" in strategy_names("ko") and "PoliteRequest" not in strategy_names("ja")
    entry = JailbreakEntry(template="부탁드립니다. {prompt}")
    assert apply_strategy("PoliteRequest", entry, text="질문", key_phrase="질문") == "부탁드립니다. 질문"


def test_a_plugin_cannot_replace_a_builtin_strategy() -> None:
    clash = Strategy(name="SudoMode", family="x", description="x", reference="x")
    STRATEGY_REGISTRY.register(clash, distribution="evil-plugin")
    try:
        with pytest.raises(KsafeError, match=r"'SudoMode' is registered twice .*ksafe.*evil-plugin"):
            get_strategy("SudoMode")
    finally:
        STRATEGY_REGISTRY.reset()
    assert get_strategy("SudoMode").family == "privilege_escalation"


def test_list_strategies_by_language() -> None:
    korean = strategy_names("ko-KR")
    assert "ChoseongAbbreviation" in korean and "KanaSubstitution" not in korean
    assert strategy_names("en") == ["none", *LIU_NAMES]
    assert all(s.applies_to("ja") for s in list_strategies("ja"))


def test_unknown_strategy_lists_known_names() -> None:
    with pytest.raises(KsafeError, match="ProgramExecution"):
        get_strategy("ProgramExecutio")
    with pytest.raises(KsafeError, match="ProgramExecutio"):
        apply_strategy("ProgramExecutio", JailbreakEntry(template="{prompt}"), text="x", key_phrase="x")


def test_missing_entry_names_the_strategy() -> None:
    assert apply_strategy("none", None, text="질문", key_phrase="질문") == "질문"
    with pytest.raises(KsafeError, match="SudoMode"):
        apply_strategy("SudoMode", None, text="x", key_phrase="x")


def test_bad_entries_are_user_errors() -> None:
    text, key = SAMPLES["ko"]
    with pytest.raises(KsafeError, match="hangul_initials"):
        apply_strategy("ChoseongAbbreviation", JailbreakEntry(template="{prompt}"), text=text, key_phrase=key)
    with pytest.raises(KsafeError, match="transformed"):
        apply_strategy("SudoMode", JailbreakEntry(template="{transformed} {prompt}"), text=text, key_phrase=key)
    entry = JailbreakEntry(template="{transformed}: {prompt}", transform="hangul_romanize")
    with pytest.raises(KsafeError, match="key phrase"):
        apply_strategy("Romanization", entry, text=text, key_phrase=" ")


def test_transform_replaces_every_occurrence_and_fills_particles() -> None:
    entry = JailbreakEntry(template="{transformed|이/가} 뭐야? {prompt}", transform="hangul_romanize")
    out = apply_strategy("Romanization", entry, text="독도와 독도", key_phrase="독도")
    assert out == "dokdo가 뭐야? dokdo와 dokdo"


def _load_jailbreaks(path: Path) -> JailbreaksFile:
    return JailbreaksFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def test_english_wrappers_define_every_liu_strategy() -> None:
    if not EN_JAILBREAKS.is_file():
        pytest.skip("jailbreaks_en.yaml not written yet")
    defined = _load_jailbreaks(EN_JAILBREAKS).jailbreaks
    assert set(LIU_NAMES) <= set(defined)
    text, key = SAMPLES["en"]
    for name, entry in defined.items():
        assert text in apply_strategy(name, entry, text=text, key_phrase=key)


@pytest.mark.parametrize("path", PACK_JAILBREAKS, ids=lambda p: p.parent.name)
def test_pack_wrappers_are_registered_and_complete(path: Path) -> None:
    defined = _load_jailbreaks(path).jailbreaks
    assert set(LIU_NAMES) <= set(defined), f"{path}: missing {sorted(set(LIU_NAMES) - set(defined))}"
    registered = set(strategy_names())
    assert set(defined) <= registered, f"{path}: unregistered {sorted(set(defined) - registered)}"
    language = str(yaml.safe_load((path.parent / "pack.yaml").read_text(encoding="utf-8"))["language"])
    text, key = SAMPLES.get(language.split("-")[0], SAMPLES["en"])
    for name, entry in defined.items():
        strategy = get_strategy(name)
        assert strategy.applies_to(language), f"{path}: {name} is not for language {language}"
        out = apply_strategy(name, entry, text=text, key_phrase=key)
        assert out != text or name == "none"
        if entry.transform is not None:
            assert key not in out, f"{path}: {name} leaks the key phrase"


@pytest.mark.parametrize(
    ("english_template", "transform", "error"),
    [("Please. {query}", None, "unknown placeholder"), ("Please.", None, "must contain"), ("{prompt}", "romaji", "")],
)
def test_a_bad_english_wrapper_is_refused_at_registration(
    english_template: str, transform: str | None, error: str
) -> None:
    strategy = Strategy(
        name="Bad",
        family="x",
        description="x",
        reference="x",
        requires_transform=transform,
        english_template=english_template,
    )
    with pytest.raises(KsafeError, match=rf"not a valid jailbreak strategy.*{error}"):
        STRATEGY_REGISTRY.register(strategy, distribution="p")
    assert "Bad" not in strategy_names()
