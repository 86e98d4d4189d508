"""One huge post: mining time of the Korean test corpus alone and with one 16 MB post added.

Usage: python benchmarks/bench_long_post.py [--chars 16000000]
Output: seconds for each run (reading and mining, encoder loaded once) and their ratio (stdout).
Side effects: writes two JSONL files to a temporary folder, removed afterwards; no network.

Before posts were capped (``posts.MAX_POST_CHARS``) and evidence analysis cached per post, a 16 MB post
took 161 s to mine (issue 9); now it is cut to its first 20,000 characters and counted as truncated.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "corpus_ko.jsonl"
WORDS = "전세사기 피해 보이스피싱 문자 오늘 날씨 좋네요 학교폭력 점심 메뉴 추천 부탁".split()


def main() -> None:
    """Time both runs and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=16_000_000)
    args = parser.parse_args()

    from ksafe.topics.mining.context import load_mining_context
    from ksafe.topics.mining.pipeline import mine_topics
    from ksafe.topics.mining.run import build_stages
    from ksafe.topics.mining.sources import load_sources

    rng = random.Random(0)
    words: list[str] = []
    while sum(map(len, words)) + len(words) < args.chars:
        words.extend(rng.choice(WORDS) for _ in range(10_000))
    rows = CORPUS.read_text(encoding="utf-8").splitlines()
    context = load_mining_context("ko")
    analyzer, encoder, classifier = build_stages(context)
    analyzer.analyze(["워밍업"])
    encoder.encode(["워밍업"])
    with tempfile.TemporaryDirectory() as tmp:
        plain, big = Path(tmp) / "plain.jsonl", Path(tmp) / "big.jsonl"
        plain.write_text("\n".join(rows) + "\n", encoding="utf-8")
        huge = json.dumps({"id": "dump", "text": " ".join(words)}, ensure_ascii=False)
        big.write_text("\n".join([*rows, huge]) + "\n", encoding="utf-8")
        seconds = {}
        for name, path in (("corpus", plain), ("corpus + huge post", big)):
            started = time.perf_counter()
            posts = load_sources([str(path)]).posts
            result = mine_topics(
                posts,
                culture="ko",
                analyzer=analyzer,
                encoder=encoder,
                classifier=classifier,
                lexicon=context.specific_words,
            )
            seconds[name] = time.perf_counter() - started
            print(
                f"{name}: {len(posts)} posts, {path.stat().st_size / 1e6:.1f} MB, {seconds[name]:.2f} s, "
                f"{len(result.topics)} topics, truncated posts {result.stats['truncated_posts']}"
            )
    print(f"ratio: {seconds['corpus + huge post'] / seconds['corpus']:.2f}x")


if __name__ == "__main__":
    main()
