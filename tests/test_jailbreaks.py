"""Contract tests over every registered jailbreak strategy, plus the packs' wrapper files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import ksafe
from ksafe.cultures.pack_model import JailbreakEntry, JailbreaksFile
from ksafe.errors import KsafeError
from ksafe.jailbreaks import (
    STRATEGIES,
    Strategy,
    apply_strategy,
    get_strategy,
    list_strategies,
    strategy_names,
)
from ksafe.jailbreaks.registry import LIU_STRATEGIES
from ksafe.text.transforms import TRANSFORMS

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
        for strategy in STRATEGIES
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
        transformed = TRANSFORMS[strategy.requires_transform](key)
        assert transformed and transformed != key
        assert text.replace(key, transformed) in out
        assert key not in out


def test_registry_order_and_names() -> None:
    names = strategy_names()
    assert names == ["none", *LIU_NAMES, *SCRIPT_STRATEGIES]
    assert [s.name for s in list_strategies()] == names
    assert [s.name for s in LIU_STRATEGIES] == LIU_NAMES
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[A-Z][A-Za-z]+", name) for name in names[1:])


def test_strategy_metadata() -> None:
    for strategy in STRATEGIES:
        sentences = re.findall(r"[.!?](?:\s|$)", strategy.description)
        assert 2 <= len(sentences) <= 3, strategy.name
        assert strategy.reference, strategy.name
        assert strategy.requires_transform is None or strategy.requires_transform in TRANSFORMS
    families = {s.name: s.family for s in LIU_STRATEGIES}
    assert {families[n] for n in LIU_NAMES[:3]} == {"pretending"}
    assert {families[n] for n in LIU_NAMES[3:7]} == {"attention_shifting"}
    assert {families[n] for n in LIU_NAMES[7:]} == {"privilege_escalation"}
    for name, (transform, languages) in SCRIPT_STRATEGIES.items():
        strategy = get_strategy(name)
        assert (strategy.requires_transform, strategy.languages, strategy.family) == (
            transform,
            languages,
            "script_register",
        )


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
        apply_strategy(
            "SudoMode", JailbreakEntry(template="{transformed} {prompt}"), text=text, key_phrase=key
        )
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
