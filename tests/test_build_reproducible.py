"""Builds are reproducible: slot values such as ``{adult_audience}`` are drawn from a generator seeded by the
build seed, the topic id and the template id (``queries.c_queries``), never per process or per run, so two
builds in fresh processes (different hash seeds) write identical items."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

_ADULT_QUERIES = """
import json
from ksafe.cultures.loader import load_pack
from ksafe.queries.c_queries import make_c_queries
pack = load_pack("ko")
templates = {t.id for t in pack.templates.templates if "{adult_audience" in t.benign.query + t.benign.prompt}
pairs = [p for ps in make_c_queries(pack, pack.topics, 0).values() for p in ps if p.benign.template_id in templates]
print(json.dumps([[p.harmful.pair_id, p.harmful.query, p.benign.query] for p in pairs], ensure_ascii=False))
"""


def _run(args: list[str], hash_seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_adult_audience_is_fixed_per_pair_in_every_process() -> None:
    first = json.loads(_run([sys.executable, "-c", _ADULT_QUERIES], "1"))
    assert first == json.loads(_run([sys.executable, "-c", _ADULT_QUERIES], "2"))
    from ksafe.cultures.loader import load_pack

    pool = load_pack("ko").slots["adult_audience"]
    assert len(first) >= 50
    used = [next(value for value in pool if value in benign) for _, _, benign in first]
    assert len(set(used)) == len(pool)  # the value varies over pairs, yet is fixed for each pair


def test_two_builds_in_fresh_processes_write_identical_items(tmp_path: Path) -> None:
    ksafe = str(Path(sys.executable).with_name("ksafe"))
    outs = [tmp_path / "a", tmp_path / "b"]
    for out, hash_seed in zip(outs, ("1", "2"), strict=True):
        _run([ksafe, "build", "-c", "ko", "-o", str(out), "--limit", "40", "--no-parquet", "--workers", "1"], hash_seed)
    first, second = ((out / "items.jsonl").read_bytes() for out in outs)
    assert first == second and first.count(b"\n") > 80
