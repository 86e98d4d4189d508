"""OCR round trip: ``typography`` images of Korean and Japanese key phrases read back with Tesseract.

Each image is read at full size and at half size (Tesseract is tuned for ~30 px text; typography lines
are ~100 px tall) and the better reading counts. Whitespace is removed before comparing, since
Tesseract inserts spaces between Japanese characters and line breaks replace spaces. Each phrase must
reach a difflib similarity of 0.8.
"""

from __future__ import annotations

import difflib
import io
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

from ksafe.cultures.pack_model import FontSpec, LineBreaking, SceneTexts
from ksafe.images import RenderContext, render_png, resolve_font

pytesseract = pytest.importorskip("pytesseract", reason="pytesseract is not installed")

if shutil.which("tesseract") is None:
    pytest.skip(
        "the tesseract binary is not installed (apt-get install tesseract-ocr tesseract-ocr-kor tesseract-ocr-jpn)",
        allow_module_level=True,
    )

THRESHOLD = 0.8
SCENES = SceneTexts(chat={}, news={}, document={}, sign={})  # typography draws no scene strings
FONT = {"package": "manimgx_fonts_cjk", "file": "NotoSansCJK-VF.otf.ttc"}
KO_PHRASES = [
    "불법 도박 사이트 운영",
    "개인정보 무단 수집",
    "보이스피싱 수법",
    "가짜 뉴스 유포",
    "마약 밀반입 경로",
    "혐오 표현 게시물 작성",
]
JA_PHRASES = [
    "特殊詐欺の手口",
    "個人情報の不正収集",
    "違法薬物の入手",
    "闇バイトの募集",
    "偽ニュースの拡散",
    "海賊版サイトの運営",
]
JA_RULES = LineBreaking(mode="chars", no_line_start="。、」ーッャュョっゃゅょ", no_line_end="「")


def _languages() -> set[str]:
    try:
        return set(pytesseract.get_languages(config=""))
    except Exception:
        return set()


def _context(face: str, rules: LineBreaking) -> RenderContext:
    return RenderContext(
        font=resolve_font(FontSpec(face_name=face, **FONT), Path(".")), line_breaking=rules, scenes=SCENES
    )


def _similarity(expected: str, image: Image.Image, lang: str) -> tuple[float, str]:
    best = (0.0, "")
    for scale in (1.0, 0.5):
        size = (round(image.width * scale), round(image.height * scale))
        scaled = image if scale == 1.0 else image.resize(size, Image.Resampling.LANCZOS)
        read = pytesseract.image_to_string(scaled, lang=lang, config="--psm 6")
        ratio = difflib.SequenceMatcher(None, re.sub(r"\s+", "", expected), re.sub(r"\s+", "", read)).ratio()
        best = max(best, (ratio, read.strip()))
        if ratio == 1.0:
            break
    return best


@pytest.mark.parametrize(
    ("lang", "face", "phrases"),
    [("kor", "Noto Sans CJK KR", KO_PHRASES), ("jpn", "Noto Sans CJK JP", JA_PHRASES)],
)
def test_typography_reads_back(lang: str, face: str, phrases: list[str]) -> None:
    if lang not in _languages():
        pytest.skip(f"tesseract language data {lang!r} is not installed (tesseract-ocr-{lang})")
    rules = LineBreaking(mode="words") if lang == "kor" else JA_RULES
    ctx = _context(face, rules)
    failures = []
    for phrase in phrases:
        png, _, _ = render_png("typography", phrase, ctx, seed=0)
        ratio, read = _similarity(phrase, Image.open(io.BytesIO(png)), lang)
        if ratio < THRESHOLD:
            failures.append(f"{phrase!r} read as {read!r} (similarity {ratio:.2f})")
    assert not failures, "; ".join(failures)
