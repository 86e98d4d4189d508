"""Count ko weaponization C items whose harmful or benign query reads awkwardly (follow-ups 2, part 2).

The judgement (a native reader's, made by reading every template x topic pairing of a ``ksafe build -c ko
--limit 2000`` benchmark) is encoded as rules on the wording and the topic, so the same rules count a build
before and after a pack change. Usage: ``python scripts/awkward_weaponization.py BENCH_DIR [-v]`` (``-v``: list
each awkward pairing with its reasons). Output on stdout; no side effects. Borderline items are not counted.
"""

from __future__ import annotations

import collections
import json
import re
import sys

CYBER = {"전력망 사이버 공격", "랜섬웨어 유포", "디도스 공격", "군사 기밀 해킹", "원전 제어 시스템 해킹"}
PREP = {
    "사제 총기 제작",
    "3D 프린터 총기 제작",
    "사제 폭발물 제조",
    "화염병 제조",
    "생물학 무기 확보",
    "방사성 물질 탈취",
    "공기총 불법 개조",
    "전기충격기 불법 개조",
    "불법 무기 밀수",
    "폭죽 화약 개조",
}
ACQUIRE = {"생물학 무기 확보", "방사성 물질 탈취", "불법 무기 밀수"}
WEAPON_NOT_ATTACK = {"드론 무기화", "석궁 무기화"}


def stems(text: str) -> set[str]:
    text = re.sub(r"\{[^}]*\}", " ", text)
    return {w[:2] if len(w) >= 2 else w for w in re.findall(r"[가-힣]+", text)}


def repeated(key: str, query: str, topic: str) -> set[str]:
    """Stems of the key phrase (its topic aside) that the ask after it says again."""
    ask = query[len(key) :].lstrip()
    ask = re.sub(r"^(을|를|이|가|은|는)\s", "", ask)
    return stems(key.replace(topic, " ")) & stems(ask)


def reasons(topic: str, h_key: str, h: str, b_key: str, b: str) -> list[str]:
    out: list[str] = []
    if topic.endswith("위협"):
        out.append("topic names a threat, not an act")
    if topic in WEAPON_NOT_ATTACK and any(w in h_key for w in ("계획서", "피해 키우", "예고", "대상", "도주")):
        out.append("weaponizing (making) read as an attack")
    if "세관" in h and topic in CYBER:
        out.append("customs for a cyber attack")
    if (
        "판매·유통" in b
        and "장비" not in b_key
        and (topic in CYBER or topic in {"다중이용시설 테러", "차량 돌진 공격", "식품 독극물 투입"})
    ):
        out.append("sales rules of an attack")
    if "사전 시험" in h_key and (topic in CYBER or topic in ACQUIRE):
        out.append("a test run of a hack/theft/smuggling")
    if "극단화" in b and (topic in CYBER or topic in PREP):
        out.append("radicalization for a non-extremist act")
    if "미수 사건" in b and topic in PREP:
        out.append("attempted-crime case of a making act")
    if ("폭력에 반대" in b and topic in CYBER) or ("정당화하는 선언문" in h and topic in PREP):
        out.append("manifesto/violence framing misfit")
    if "경찰, 군" in b and topic in PREP:
        out.append("the army for making or modifying a weapon")
    if "합법적인 일처럼" in h and topic not in PREP:
        out.append("an attack made to look legal")
    if "관련 테러를 예고" in h and ("테러" in topic or topic in PREP):
        out.append("terror related to terror / to making")
    for side, key, query in (("harmful", h_key, h), ("benign", b_key, b)):
        r = repeated(key, query, topic)
        if r:
            out.append(f"{side} repeats {sorted(r)}")
    return out


def main(bench: str, verbose: bool) -> None:
    """Print the awkward share of ``bench``'s weaponization C items."""
    with open(f"{bench}/items.jsonl", encoding="utf-8") as handle:
        items = [json.loads(line) for line in handle if line.strip()]
    weapon = [
        i
        for i in items
        if i.get("category") == "weaponization" and i["subset"] == "C" and not i["template_id"].startswith("ko_bl")
    ]
    pairs: dict[tuple[str, str], dict[str, tuple[str, str]]] = collections.defaultdict(dict)
    count: collections.Counter[tuple[str, str]] = collections.Counter()
    for item in weapon:
        key = (item["template_id"], item["topic"])
        count[key] += 1
        pairs[key]["H" if item["is_harmful"] else "B"] = (item["key_phrase"], item["query"])
    awkward_items = semantic_items = awkward_pairs = 0
    by_reason: collections.Counter[str] = collections.Counter()
    for key, sides in sorted(pairs.items()):
        h_key, harmful = sides.get("H", ("", ""))
        b_key, benign = sides.get("B", ("", ""))
        found = reasons(key[1], h_key, harmful, b_key, benign)
        if not found:
            continue
        awkward_pairs += 1
        awkward_items += count[key]
        semantic_items += count[key] if any("repeats" not in r for r in found) else 0
        by_reason.update(r.split(" [")[0] for r in found)
        if verbose:
            print(key[0], key[1], found, "|", harmful, "||", benign)
    print(f"{bench}: {awkward_items} of {len(weapon)} weaponization C items awkward", end=" ")
    print(f"({awkward_pairs} of {len(pairs)} template x topic pairings)")
    print(f"  of which {semantic_items} misfit in meaning (the rest only repeat a word of the key phrase in the ask)")
    print(dict(by_reason))


if __name__ == "__main__":
    main(sys.argv[1], "-v" in sys.argv[2:])
