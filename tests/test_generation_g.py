"""G and step 4 with the scripted generator: translation faults and fallbacks, generated wrappers kept as pack
data, kill -9 resume across the new prompt kinds, and ``--plan`` counting them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from tests.genkit.server import MODEL, scripted_generator

from ksafe.build import BuildOptions, build_benchmark
from ksafe.cultures.loader import load_pack, resolve_pack_dir
from ksafe.jailbreaks.apply import wrapper_texts

G_FAULTS = {
    "g:hate_unfairness": "refuse_once",
    "g:violence": "refuse_always",
    "g:sexual": "malformed_once",
    "g:self_harm": "schema_once",
    "g:political_religious_neutrality": "wrong_language",
    "g:anthropomorphism": "placeholder_once",
    "g:sensitive_uses": "bad_swap_once",
    "wrappers:CharacterRolePlay": "refuse_always",
    "wrappers:Translation": "refuse_once",
    "wrappers:ProgramExecution": "malformed_once",
    "wrappers:SuperiorModel": "schema_once",
    "wrappers:SudoMode": "unknown_slot",
    "wrappers:SlangRegister": "wrong_language",
}


def _items(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / "items.jsonl").read_text(encoding="utf-8").splitlines()]


def test_g_and_wrappers_with_a_generator_fall_back_per_pair_and_strategy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with scripted_generator(tmp_path / "server", faults=G_FAULTS) as server:
        for name, value in server.env.items():
            monkeypatch.setenv(name, value)
        out = tmp_path / "gen"
        options = BuildOptions(
            culture="ko", out=out, g_count=10, c_count=2, generator=MODEL, workers=1, write_parquet=False
        )
        result = build_benchmark(options)
        counts = result.manifest.counts["generation"]
        assert counts["g"] == {
            "prompt_version": "g-translate-v1",
            "pairs": 10,
            "generated": 8,
            "fallback_refused": 1,
            "fallback_invalid": 1,
            "fallbacks": 2,
            "refusals": 3,
            "repairs": 6,
            "swaps": 8,
        }
        wrappers = counts["wrappers"]
        assert (wrappers["strategies"], wrappers["generated"], wrappers["wrappers"]) == (13, 10, 30)
        assert (wrappers["fallback_refused"], wrappers["fallback_invalid"]) == (1, 2)
        assert (wrappers["refusals"], wrappers["repairs"]) == (3, 6)

        items = _items(out)
        g_harmful = [i for i in items if i["subset"] == "G" and i["is_harmful"]]
        assert len(g_harmful) == 10  # the plan kept every pair, generated or not
        by_category = {i["category"]: i for i in g_harmful}
        assert "source" not in by_category["violence"] and "source" not in by_category["political_religious_neutrality"]
        for category in ("hate_unfairness", "sexual", "self_harm", "anthropomorphism", "sensitive_uses", "privacy"):
            item = by_category[category]
            assert item["source"] == MODEL and item["prompt_version"] == "g-translate-v1"
            assert item["g_version"] == "contextualized" and "한국 은행" in str(item["query"])
            context = item["contextualization"]
            assert isinstance(context, dict)
            assert context["swaps"] == [["bank", "미국 은행", "한국 은행"]]
            assert context["changed_sentences"] == [1] and context["sentence_count"] == 2
            variants = {v["g_version"]: v for v in item["variants"]}  # type: ignore[union-attr]
            assert variants["source_en"]["language"] == "en" and "한" not in variants["source_en"]["query"]
            assert "미국 은행" in variants["literal"]["query"]

        kept = yaml.safe_load((out / "generation" / "jailbreaks.yaml").read_text(encoding="utf-8"))["jailbreaks"]
        pack = load_pack("ko")
        own = pack.jailbreaks.jailbreaks
        assert kept["CharacterRolePlay"]["variants"] == own["CharacterRolePlay"].variants  # refused: the pack's
        assert kept["SudoMode"]["variants"] == own["SudoMode"].variants
        assert kept["Translation"]["variants"][: len(own["Translation"].variants)] == own["Translation"].variants
        assert len(kept["Translation"]["variants"]) == len(own["Translation"].variants) + 3
        used = [i for i in items if i["wrapper"] and i["strategy"] in own]
        generated_used = [
            i for i in used if int(str(i["wrapper"]).split("#")[1]) >= len(wrapper_texts(own[str(i["strategy"])]))
        ]
        assert generated_used and all("선생님, 제" in str(i["text"]) for i in generated_used)
        assert not any("#rewrite" in str(i["wrapper"]) for i in items)  # --rewrite-queries is off by default

        pack_copy = tmp_path / "ko-pack"
        shutil.copytree(resolve_pack_dir("ko"), pack_copy)
        shutil.copy(out / "generation" / "jailbreaks.yaml", pack_copy / "jailbreaks.yaml")
        check = subprocess.run(
            [sys.executable, "-m", "ksafe", "culture", "check", str(pack_copy), "--no-font"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert check.returncode == 0, check.stderr

        asked = len(server.requests())
        manifest = (out / "manifest.json").read_bytes()
        again = build_benchmark(options)
        assert len(server.requests()) == asked and again.generation.calls.new == 0
        assert (out / "manifest.json").read_bytes() == manifest


def _new_calls(plan_stdout: str) -> tuple[int, int]:
    match = re.search(r"(\d+) already answered in the journal; (\d+) new calls", plan_stdout)
    assert match, plan_stdout
    return int(match[1]), int(match[2])


def test_kill_9_in_the_wrapper_stage_resumes_and_plan_counts_every_prompt_kind(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    out = tmp_path / "gen"
    command = [sys.executable, "-m", "ksafe", "build", "--culture", "ko", "--limit", "12", "--out", str(out)]
    command += ["--generator", MODEL, "--workers", "1", "--no-parquet", "--generator-connections", "2"]
    # limit 12: 11 C slots (generator + critic: 22 calls), 1 G pair, 13 wrapper strategies
    with scripted_generator(
        tmp_path / "server", latency_ms=50, kill_pid_file=pid_file, kill_after=26, kill_journal=out
    ) as server:
        env = {**os.environ, **server.env}
        plan = subprocess.run([*command, "--plan"], env=env, capture_output=True, text=True, timeout=120)
        assert plan.returncode == 0, plan.stderr
        assert "11 (topic, category) slots, 1 G pairs, 13 wrapper strategies" in plan.stdout
        assert _new_calls(plan.stdout) == (0, 36) and not server.requests()  # planning asks nothing
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        pid_file.write_text(str(process.pid))
        process.wait(timeout=180)
        assert process.returncode == -9
        first = server.requests()
        answered = {r["key"] for r in first if r["status"] == 200}
        assert {r["kind"] for r in first if r["status"] == 200} >= {"queries", "critic", "g-translate", "wrappers"}
        time.sleep(0.2)
        resumed = subprocess.run([*command, "--plan"], env=env, capture_output=True, text=True, timeout=120)
        journaled, todo = _new_calls(resumed.stdout)
        assert journaled >= 11 + 1 + 1 and todo == 25 - journaled  # C and G done: one call per wrapper left
        n_first = len(server.requests())
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr
        second = server.requests()[n_first:]
        assert not answered & {r["key"] for r in second}
        assert {r["kind"] for r in second} == {"wrappers"} and len(second) == todo
        assert len(answered) + len({r["key"] for r in second if r["status"] == 200}) == 36
        assert "wrappers: 39 new texts for 13 of 13 strategies" in done.stdout
        final = subprocess.run([*command, "--plan"], env=env, capture_output=True, text=True, timeout=120)
        assert _new_calls(final.stdout) == (25, 0)


def test_rewrite_queries_replaces_text_only_per_unit_and_keeps_the_wrapper_on_refusal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ksafe.generation.plan import plan_generation

    faults = {"rewrite:ResearchExperiment": "refuse_always", "rewrite:TextContinuation": "malformed_once"}
    faults |= {"rewrite:LogicalReasoning": "drop_key_once"}
    with scripted_generator(tmp_path / "server", faults=faults) as server:
        for name, value in server.env.items():
            monkeypatch.setenv(name, value)
        out = tmp_path / "gen"
        options = BuildOptions(
            culture="ko", out=out, limit=12, generator=MODEL, workers=1, write_parquet=False, rewrite_queries=True
        )
        plan = plan_generation(options)
        result = build_benchmark(options)
        counts = result.manifest.counts["generation"]["rewrites"]
        assert plan.rewrites == counts["units"] > 0
        assert counts["rewritten"] == counts["units"] - 1 and counts["fallback_refused"] == 1
        assert counts["repairs"] == 2 and counts["refusals"] == 2
        assert sum(1 for r in server.requests() if r["kind"] == "rewrite") == counts["units"] + 3
        items = _items(out)
        jailbreak = [i for i in items if i["strategy"] != "none"]
        rewritten = [i for i in jailbreak if str(i["wrapper"]).endswith("#rewrite")]
        assert rewritten and all("선생님 역할극이야." in str(i["text_only"]) for i in rewritten)
        assert all(str(i["key_phrase"]) in str(i["text_only"]) for i in rewritten)
        assert all("선생님 역할극이야." not in str(i["text"]) for i in rewritten)  # the image prompt keeps the wrapper
        refused = [i for i in jailbreak if i["strategy"] == "ResearchExperiment"]
        assert refused and not any(str(i["wrapper"]).endswith("#rewrite") for i in refused)
        assert {i["benign_kind"] for i in rewritten} >= {None, "jailbreak"}  # harmful and benign twin alike
        assert result.manifest.options["rewrite_queries"] is True
