"""``ksafe report RUN_EVAL RUN_GUARD``: the guard section (leaderboard, heatmap, ROC, ablation, guard vs judge)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from evalkit.fixture_benchmark import write_fixture_benchmark, write_refusals_pack
from evalkit.server import fake_server
from guardkit.server import guard_server

KEY = "sk-test-report-123456"


def test_report_shows_guards_beside_an_eval_run(tmp_path: Path) -> None:
    bench = tmp_path / "bench"
    items = write_fixture_benchmark(bench)
    write_refusals_pack(tmp_path / "pack")
    env = dict(os.environ, FAKE_API_KEY=KEY, XDG_DATA_HOME=str(tmp_path / "xdg"), NO_COLOR="1")
    complied = [i for i in items if i.is_harmful][:6]
    with fake_server(tmp_path / "target", faults={i.text: "comply" for i in complied}) as target:
        command = [
            sys.executable,
            "-m",
            "ksafe",
            "eval",
            str(bench),
            "--model",
            "openai-api/fake/target",
            "--out",
            str(tmp_path / "eval"),
            "--display",
            "none",
            "--pack",
            str(tmp_path / "pack"),
        ]
        done = subprocess.run(
            command, env={**env, "FAKE_BASE_URL": target.base_url}, capture_output=True, text=True, timeout=240
        )
        assert done.returncode == 0, done.stderr[-2000:]
    rules = {complied[0].text.split()[-1]: "needs_image"}  # one successful attack the text-only guard misses
    with guard_server(tmp_path / "server", rules=rules) as server:
        command = [
            sys.executable,
            "-m",
            "ksafe",
            "guard",
            str(bench),
            "--out",
            str(tmp_path / "guard"),
            "--guard",
            "llama_guard=openai-api/fake/llama_guard",
            "--guard",
            "binary_logprob=openai-api/fake/binary_logprob",
        ]
        done = subprocess.run(
            command, env={**env, "FAKE_BASE_URL": server.base_url}, capture_output=True, text=True, timeout=240
        )
        assert done.returncode == 0, done.stderr[-2000:]
    out = tmp_path / "report.html"
    command = [
        sys.executable,
        "-m",
        "ksafe",
        "report",
        str(tmp_path / "eval"),
        str(tmp_path / "guard"),
        "--out",
        str(out),
        "--no-embed-font",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    html = out.read_text(encoding="utf-8")
    section = html[html.index('<section id="guards">') : html.index('<section id="judges">')]
    assert (
        "llama_guard=openai-api/fake/llama_guard" in section
        and "binary_logprob=openai-api/fake/binary_logprob" in section
    )
    assert section.count("<polyline") == 1  # binary_logprob has scores; llama_guard's labels have none
    assert "Image ablation" in section and "<td>83.3%</td>" in section  # 5 of 6 successful attacks flagged
    tables = tmp_path / "report_files" / "tables"
    blocked = (tables / "guard_blocked_attacks.csv").read_text(encoding="utf-8").splitlines()
    rows = {line.split(",")[0]: line.split(",") for line in blocked[1:]}
    # 6 successful attacks under the heuristic judge; the text-only guard misses the one whose harm is in the image
    assert rows["llama_guard=openai-api/fake/llama_guard"][3:5] == ["6", "6"]
    assert rows["binary_logprob=openai-api/fake/binary_logprob"][3:5] == ["6", "5"]
    kinds = (tables / "guard_kinds.csv").read_text(encoding="utf-8").splitlines()
    assert "False positives, borderline benign" in kinds[0] and "By kind of item" in section
    # 12 plain and 12 jailbreak-framed harmful items; the text-only guard misses the plain one whose harm is in
    # the image; the fixture has no borderline request
    text_only_guard = next(line for line in kinds if line.startswith("binary_logprob="))
    assert text_only_guard.split('"')[1::2] == [
        "91.7% [64.6, 98.5]",
        "100.0% [75.8, 100.0]",
        "0.0% [0.0, 24.2]",
        "0.0% [0.0, 24.2]",
    ]
    assert ",n/a," in text_only_guard
    ablation = (tables / "guard_ablation.csv").read_text(encoding="utf-8")
    assert "binary_logprob=openai-api/fake/binary_logprob,text,48" in ablation
    leaderboard = json.loads((tmp_path / "guard" / "results.json").read_text())["guards"]
    assert leaderboard[1]["overall"]["detection_rate"]["numerator"] == 23
