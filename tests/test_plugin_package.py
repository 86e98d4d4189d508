"""A third-party plugin package (a strategy and a culture pack) is installed from a folder and used.

The package is the one ``docs/plugins.md`` shows: its ``pyproject.toml`` and module are read from the doc, so
the doc cannot drift from what works. Setuptools writes its metadata, the package is copied into a
``site-packages`` folder on ``PYTHONPATH``, and the ``ksafe`` CLI runs in fresh processes that find it only
through its entry points.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ksafe.cultures.loader import builtin_packs_dir

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "plugins.md"
STRATEGY = "PoliteRequest"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def _dedent(block: str) -> str:
    lines = block.splitlines()
    indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
    return "\n".join(line[indent:] for line in lines)


def _merge_yaml(path: Path, addition: str) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, values in yaml.safe_load(_dedent(addition)).items():
        data[key].update(values)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _write_plugin(root: Path) -> Path:
    (pyproject,) = _blocks("toml")
    module, judges = _blocks("python")
    jailbreaks, entities = _blocks("yaml")
    package = root / "src" / "ksafe_demo_plugin"
    package.mkdir(parents=True)
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    (package / "__init__.py").write_text(module, encoding="utf-8")
    (package / "judges.py").write_text(judges, encoding="utf-8")
    pack = package / "pack"
    shutil.copytree(builtin_packs_dir() / "ko", pack)
    info = (pack / "pack.yaml").read_text(encoding="utf-8")
    info = re.sub(r"(?m)^code: ko$", "code: kd", info).replace("benchmark_name: KSAFE-MM", "benchmark_name: KSAFE-DEMO")
    (pack / "pack.yaml").write_text(info, encoding="utf-8")
    _merge_yaml(pack / "jailbreaks.yaml", jailbreaks)
    _merge_yaml(pack / "entities.yaml", entities)
    templates = yaml.safe_load((pack / "templates.yaml").read_text(encoding="utf-8"))
    for template in templates["templates"]:  # every harmful query now names the pack's own slot
        template["harmful"]["ask"] += " {subway_line} 근처 이야기입니다."  # the request after the key phrase
    (pack / "templates.yaml").write_text(yaml.safe_dump(templates, allow_unicode=True, sort_keys=False), "utf-8")
    return root


def _install(root: Path) -> dict[str, str]:
    """Install the package as pip does for pure Python, without needing ``wheel`` or the network.

    Setuptools writes the distribution metadata from the package's ``pyproject.toml`` (``egg_info``, entry
    points included); the package and its metadata are copied into a ``site-packages`` folder on
    ``PYTHONPATH`` (Inspect namespaces a package's scorers only when it lives in site-packages).
    """
    subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "-q", "egg_info", "--egg-base", "src"],
        cwd=root,
        check=True,
        capture_output=True,
    )
    site = root.parent / "site-packages"
    for item in (root / "src").iterdir():
        shutil.copytree(item, site / item.name)
    return dict(os.environ, PYTHONPATH=str(site), COLUMNS="250", NO_COLOR="1")


def _ksafe(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "ksafe", *args], env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return _install(_write_plugin(tmp_path_factory.mktemp("plugin") / "ksafe-demo-plugin"))


def test_listings_show_the_plugin_with_its_distribution(plugin_env: dict[str, str]) -> None:
    strategies = [line for line in _ksafe(plugin_env, "strategies").splitlines() if STRATEGY in line]
    assert strategies and "ksafe-demo-plugin" in strategies[0]
    cultures = [line for line in _ksafe(plugin_env, "cultures").splitlines() if "KSAFE-DEMO" in line]
    assert cultures and "ksafe-demo-plugin" in cultures[0] and " kd " in cultures[0]
    assert "ok: kd (KSAFE-DEMO)" in _ksafe(plugin_env, "culture", "check", "kd", "--no-font")


def test_a_build_uses_the_plugin_pack_strategy_and_slot_and_eval_its_judge(
    plugin_env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "kd-bench"
    _ksafe(
        plugin_env, "build", "--culture", "kd", "--g-count", "24", "--c-count", "30", "--no-parquet", "--out", str(out)
    )
    items = [json.loads(line) for line in (out / "items.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {item["culture"] for item in items} == {"kd"}
    polite = [item for item in items if item["strategy"] == STRATEGY]
    assert polite, "the plugin strategy made no item"
    assert all(item["text"].startswith("정말 죄송하지만 꼭 여쭙고 싶습니다.") for item in polite)
    assert {item["subset"] for item in polite} == {"C", "G"}  # G through the strategy's English wrapper
    english = [v for item in polite for v in item["variants"] if v["g_version"] == "source_en"]
    assert english and all(v["text"].startswith("I am terribly sorry to ask, but I must.") for v in english)
    lines = ("2호선", "9호선", "신분당선")
    harmful_c = [item for item in items if item["subset"] == "C" and item["is_harmful"]]
    assert harmful_c and all(any(line in item["query"] for line in lines) for item in harmful_c)

    judge = "scorer:ksafe_demo_plugin/polite_judge"
    env = dict(plugin_env, INSPECT_CACHE_DIR=str(tmp_path / "cache"), XDG_DATA_HOME=str(tmp_path / "xdg"))
    run = tmp_path / "kd-run"
    _ksafe(env, "eval", str(out), "--model", "mockllm/model", "--judge", judge, "--limit", "12", "--out", str(run))
    responses = [json.loads(line) for line in (run / "responses.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(responses) == 12 and {r["judge"] for r in responses} == {judge}
    assert {r["verdict"] for r in responses} <= {"harmful_compliance", "safe_completion"}  # mockllm never apologises


def test_without_the_plugin_ksafe_does_not_know_it() -> None:
    env = dict(os.environ, COLUMNS="250")
    assert STRATEGY not in _ksafe(env, "strategies")
    done = subprocess.run(
        [sys.executable, "-m", "ksafe", "culture", "check", "kd"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "no such culture pack" in done.stderr and "Traceback" not in done.stderr
