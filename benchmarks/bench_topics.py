"""Mining throughput: generate N short synthetic community posts in memory, mine them, print the figures.

Usage: python benchmarks/bench_topics.py [--posts 100000] [--culture ko|ja] [--encoder auto] [--seed 0]
Output: posts/s, peak RSS and the number of topics kept and dropped (stdout).
Side effects: none (no files written, no network). Uses the offline classifier.

The posts are project-written and fictional: about 40 locally sensitive topics per language (each named
by two or three surface variants, with Zipf-like popularity and a burst week each), about 30 everyday
chatter topics, varied sentence frames around the topic, filler sentences, place/thing small talk, titles,
boards and dates over 26 weeks, and a few exact reposts.
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ksafe.topics.mining.posts import Post


def _table(raw: dict[str, str]) -> dict[str, list[tuple[str, ...]]]:
    """Parse ``a|b; c`` blocks (``;`` or a line break between entries, ``|`` between variants)."""
    return {
        lang: [tuple(v.strip() for v in e.split("|")) for e in text.replace("\n", ";").split(";") if e.strip()]
        for lang, text in raw.items()
    }


def _words(raw: dict[str, str]) -> dict[str, list[str]]:
    """Parse ``a; b`` blocks into plain lists."""
    return {lang: [entry[0] for entry in entries] for lang, entries in _table(raw).items()}


SENSITIVE = _table(
    {
        "ko": """
전세사기|깡통전세|전세사기 피해자; 보이스피싱|스미싱 문자|보이스피싱 조직
딥페이크|딥페이크 합성|딥페이크 성범죄; 학교폭력|학폭|학폭 미투; 불법촬영|몰래카메라|불법촬영 영상
스토킹|스토킹 범죄; 사설 토토|불법 도박|먹튀 사이트; 개인정보 유출|신상털기; 부정선거|가짜뉴스|여론조작
마약 던지기|필로폰|마약 유통; 대포통장; 로맨스 스캠; 코인 리딩방|리딩방 사기; 불법 사채|불법 대부업
층간소음 보복|층간소음 갈등; 보복운전; 칼부림 예고|살인 예고 글; 데이트 폭력; 아동학대; 가정폭력
지역감정|지역 비하; 여혐|남혐|성별 혐오; 이주노동자 차별|외국인 혐오; 자해 인증; 프로아나|섭식장애
불법 웹툰 사이트|불법 스트리밍; 짝퉁 명품; 명의도용; 위치추적 앱; 흥신소 뒷조사; 랜섬웨어|해킹 공격
사제총|사제 폭탄; AI 여친|AI 연인 의존; 고인 AI; 신점|점집 굿 비용; 임금 체불; 직장 갑질|갑질 논란; 병역 기피
보험사기; 다단계 판매|다단계 사기
""",
        "ja": """
特殊詐欺|オレオレ詐欺|還付金詐欺; 闇バイト|闇バイト募集; 盗撮|盗撮カメラ; いじめ問題|いじめ自殺
大麻密売|大麻所持; 個人情報流出|個人情報漏洩; 誹謗中傷; オーバードーズ|市販薬乱用; ストーカー被害
海賊版サイト|漫画村; ディープフェイク|ディープフェイク動画; パパ活; 立ちんぼ; あおり運転; 通り魔事件; 犯行予告
児童虐待; DV被害; パワハラ上司|パワハラ; ヘイトスピーチ; 外国人差別; 技能実習生問題; 病み垢; 摂食障害
旧統一教会|霊感商法; 宗教二世; 選挙デマ; 投資詐欺|仮想通貨詐欺; 闇金; 地面師; 転売ヤー; 受け子; 売掛金問題
身バレ|特定班; 乗っ取り被害|アカウント乗っ取り; ファスト映画; 違法アップロード; 3Dプリンター銃; AI彼女|AI依存
闇カジノ
""",
    }
)

CHATTER = _table(
    {
        "ko": """
점심 메뉴; 김치찌개; 야구 경기; 축구 국가대표; 날씨; 장마; 게임 이벤트; 브런치 카페; 넷플릭스 드라마
아이돌 콘서트; 캠핑 장비; 다이어트 식단; 헬스장; 고양이 사진; 강아지 산책; 출근길 지하철; 회사 회식; 이사 준비
아이폰 신제품; 노트북 추천; 제주도 여행; 편의점 신상; 라면 레시피; 벚꽃 명소; 마라탕; 자격증 시험; 중고거래
택배 배송; 웹툰 신작; 주말 등산
""",
        "ja": """
ラーメン; 天気; 野球観戦; 新作ゲーム; カフェ巡り; 推しのライブ; 桜の開花; 通勤電車; 在宅勤務; キャンプ道具
ダイエット; 筋トレ; 猫の写真; 犬の散歩; 引っ越し準備; 新型スマホ; 温泉旅行; 京都旅行; コンビニスイーツ; 資格試験
フリマアプリ; 宅配便; 梅雨; 花粉症; アニメ最終回; ドラマの新シーズン; サッカー日本代表; 回転寿司; 家計簿
週末の登山
""",
    }
)

FRAMES = _words(
    {
        "ko": """
요즘 {t} 얘기가 많네요; {t} 관련 기사 보셨어요?; {t} 때문에 너무 걱정돼요; 혹시 {t} 겪어보신 분 있나요
{t} 뉴스 보고 충격받았어요; {t} 어떻게 생각하세요?; {t} 이거 진짜 심각하네요; 주변에 {t} 얘기가 돌아요
{t} 정리해봤습니다; 오늘 회사에서 {t} 이야기 나왔는데; {t} 또 터졌네요; {t} 후기 남겨요
{t} 문제는 언제쯤 없어질까요; {t} 관련해서 질문 있어요; 어제 {t} 글 보고 잠이 안 오더라고요
""",
        "ja": """
最近{t}の話が多いね; {t}のニュース見た?; {t}が心配すぎる; {t}に遭った人いる?; {t}について聞きたい
{t}ってどう思う?; {t}マジでやばい; 知り合いが{t}の話をしてた; {t}についてまとめてみた; 今日会社で{t}の話になった
また{t}か; {t}の体験談です; {t}はいつになったら無くなるんだろう; {t}について質問です
昨日{t}のスレ見て眠れなかった
""",
    }
)

FILLERS = _words(
    {
        "ko": """
ㅋㅋㅋ; 다들 조심하세요; 진짜 어이없네요; 퇴근하고 싶다; 오늘도 화이팅; 댓글 부탁드려요; 답답하네요
그냥 그렇다고요; 제 생각엔 아닌 것 같아요; 추천 부탁드립니다; {n}년째 이러고 있음; 어제 {n}시까지 못 잤어요
{n}분 전에 글 보고 왔어요; {p} 사는데 {n}년째예요; {n}번째 질문이에요; {p} {s} 앞에서 {n}분 기다림
{p} {s} 가봤는데 괜찮더라고요; {p} {s} 너무 붐비네요; 내일 {p} 가요
""",
        "ja": """
w; みんな気をつけて; マジで怖い; 早く帰りたい; 今日も頑張ろう; コメントください; モヤモヤする; 個人的には微妙
おすすめ教えて; {n}年目だけど; 昨日{n}時まで起きてた; {p}の{s}に行ってみた; {p}の{s}が混んでた; 明日{p}に行く
{n}分前に見た; {p}に住んで{n}年; {n}回目の質問です; {p}の{s}で{n}分待った
""",
    }
)

PLACES = _words(
    {
        "ko": """
서울; 부산; 대전; 인천; 광주; 대구; 수원; 동네; 회사 근처; 학교 앞
""",
        "ja": """
東京; 大阪; 名古屋; 福岡; 札幌; 地元; 会社の近く; 駅前; 実家; 学校の近く
""",
    }
)

THINGS = _words(
    {
        "ko": """
카페; 병원; 마트; 공원; 도서관; 주차장; 아파트 단지; 버스 정류장; 식당; 시장
""",
        "ja": """
カフェ; 病院; スーパー; 公園; 図書館; 駐車場; マンション; バス停; 居酒屋; 商店街
""",
    }
)

BOARDS = _words(
    {
        "ko": """
자유게시판; 시사; 부동산; 육아; 고민상담; 게임; 스포츠; 재테크; IT; 직장인
""",
        "ja": """
雑談; ニュース; 生活; 育児; お悩み相談; ゲーム; スポーツ; マネー; IT; 仕事
""",
    }
)

TITLES = _words(
    {
        "ko": """
질문; 궁금해요; ㅠㅠ; 정보 공유; 후기; 잡담
""",
        "ja": """
質問; 相談; 情報共有; 雑談; 体験談
""",
    }
)
START = date(2025, 1, 6)
WEEKS = 26
SENSITIVE_SHARE = 0.35
BURST_SHARE = 0.25
REPOST_SHARE = 0.02


def _fill(text: str, rng: random.Random, culture: str) -> str:
    return text.format(n=rng.randint(2, 59), p=rng.choice(PLACES[culture]), s=rng.choice(THINGS[culture]))


def synthetic_posts(n: int, culture: str, seed: int = 0) -> list[Post]:
    """``n`` fictional short posts: sensitive topics, chatter and filler in varied frames, over 26 weeks."""
    from ksafe.topics.mining.posts import Post

    rng = random.Random(seed)
    sensitive, chatter = SENSITIVE[culture], CHATTER[culture]
    s_weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(sensitive))]
    c_weights = [1.0 / (rank + 1) ** 0.6 for rank in range(len(chatter))]
    burst_week = [rng.randrange(WEEKS) for _ in sensitive]
    joiner = " " if culture == "ko" else "。"
    posts: list[Post] = []
    for i in range(n):
        if posts and rng.random() < REPOST_SHARE:
            old = rng.choice(posts)
            posts.append(Post(id=f"p{i}", text=old.text, date=old.date, board=old.board))
            continue
        week = rng.randrange(WEEKS)
        parts: list[str] = []
        if rng.random() < SENSITIVE_SHARE:
            topic = rng.choices(range(len(sensitive)), s_weights)[0]
            if rng.random() < BURST_SHARE:
                week = burst_week[topic]
            parts.append(rng.choice(FRAMES[culture]).format(t=rng.choice(sensitive[topic])))
        if not parts or rng.random() < 0.4:
            topic = rng.choices(range(len(chatter)), c_weights)[0]
            parts.append(rng.choice(FRAMES[culture]).format(t=rng.choice(chatter[topic])))
        for _ in range(rng.randint(1, 2)):
            parts.append(_fill(rng.choice(FILLERS[culture]), rng, culture))
        rng.shuffle(parts)
        day = START + timedelta(days=7 * week + rng.randrange(7))
        title = rng.choice(TITLES[culture]) if rng.random() < 0.3 else ""
        posts.append(
            Post(
                id=f"p{i}",
                text=joiner.join(parts),
                title=title,
                date=day.isoformat(),
                board=rng.choice(BOARDS[culture]),
            )
        )
    return posts


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--culture", default="ko", choices=["ko", "ja"])
    parser.add_argument("--encoder", default="auto")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", type=int, default=0, help="Also print the N best topics.")
    args = parser.parse_args()

    from ksafe.topics.mining.context import load_mining_context
    from ksafe.topics.mining.pipeline import mine_topics
    from ksafe.topics.mining.run import build_stages

    context = load_mining_context(args.culture)
    posts = synthetic_posts(args.posts, args.culture, args.seed)
    started = time.perf_counter()
    analyzer, encoder, classifier = build_stages(context, args.encoder)  # as `ksafe topics mine` sets them up
    result = mine_topics(
        posts,
        culture=context.code,
        analyzer=analyzer,
        encoder=encoder,
        classifier=classifier,
        lexicon=context.specific_words,
    )
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"posts: {args.posts}  culture: {args.culture}  encoder: {encoder.name}")
    print(f"topics: {len(result.topics)}  dropped: {len(result.dropped)}  stats: {result.stats}")
    print(f"seconds: {seconds:.1f}  posts/s: {args.posts / seconds:.0f}  peak RSS: {peak_mb:.0f} MB")
    for topic in result.topics[: args.show]:
        print(f"  {topic.name}  {','.join(topic.categories)}  keywords: {', '.join(topic.keywords[:4])}")


if __name__ == "__main__":
    main()
