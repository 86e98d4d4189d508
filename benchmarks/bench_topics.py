"""Mining throughput: generate N short synthetic Korean posts in memory, mine them, print posts/s and peak RSS.

Usage: python benchmarks/bench_topics.py [--posts 100000] [--culture ko] [--encoder auto]
Side effects: none (no files written, no network). Uses the offline classifier.
"""

from __future__ import annotations

import argparse
import random
import resource
import time

SENSITIVE = {
    "ko": [
        "전세사기 피해",
        "보이스피싱 문자",
        "딥페이크 합성",
        "학교폭력 신고",
        "마약 던지기",
        "불법촬영 카메라",
        "스토킹 신고",
        "사설 토토",
        "개인정보 유출",
        "부정선거 주장",
    ],
    "ja": [
        "特殊詐欺の電話",
        "闇バイトの募集",
        "盗撮カメラ",
        "いじめの相談",
        "大麻の密売",
        "個人情報流出",
        "誹謗中傷のコメント",
        "オーバードーズ",
        "ストーカー被害",
        "海賊版サイト",
    ],
}
CHATTER = {
    "ko": ["오늘 점심 김치찌개", "야구 경기 역전승", "날씨 너무 덥다", "게임 이벤트 보상", "주말 브런치 카페"],
    "ja": ["お昼はラーメン", "野球の試合", "今日は暑い", "ゲームのイベント", "週末のカフェ"],
}
TAILS = {
    "ko": ["진짜 어이없네요", "다들 조심하세요", "어떻게 생각하세요?", "ㅋㅋ", ""],
    "ja": ["マジで怖い", "みんな気をつけて", "どう思う?", "w", ""],
}


def synthetic_posts(n: int, culture: str, seed: int = 0) -> list[object]:
    """``n`` short posts mixing sensitive phrases and chatter, dated over 12 weeks."""
    from ksafe.topics.mining.posts import Post

    rng = random.Random(seed)
    posts = []
    for i in range(n):
        pool = SENSITIVE[culture] if rng.random() < 0.4 else CHATTER[culture]
        text = f"{rng.choice(pool)} {rng.choice(pool)} {rng.choice(TAILS[culture])} #{i % 997}"
        posts.append(Post(id=f"p{i}", text=text, date=f"2025-{1 + i % 3:02d}-{1 + i % 28:02d}"))
    return posts


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--culture", default="ko", choices=["ko", "ja"])
    parser.add_argument("--encoder", default="auto")
    args = parser.parse_args()

    from ksafe.topics.mining.analyzers import analyzer_for
    from ksafe.topics.mining.classify import OfflineClassifier
    from ksafe.topics.mining.context import load_mining_context
    from ksafe.topics.mining.encoders import encoder_for
    from ksafe.topics.mining.pipeline import mine_topics

    context = load_mining_context(args.culture)
    posts = synthetic_posts(args.posts, args.culture)
    encoder = encoder_for(args.encoder)
    started = time.perf_counter()
    result = mine_topics(
        posts,  # type: ignore[arg-type]
        culture=context.code,
        analyzer=analyzer_for(context.language, context.public_names),
        encoder=encoder,
        classifier=OfflineClassifier(context.taxonomy, encoder),
    )
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"posts: {args.posts}  culture: {args.culture}  encoder: {encoder.name}")
    print(f"topics: {len(result.topics)}  dropped: {len(result.dropped)}")
    print(f"seconds: {seconds:.1f}  posts/s: {args.posts / seconds:.0f}  peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
