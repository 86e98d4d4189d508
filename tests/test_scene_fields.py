"""Scenes that make sense: chat times in order, the key phrase in a request field, news sections by category.

Input: literal labels and the built-in ko pack. Output: pytest results. No side effects.
"""

from __future__ import annotations

from ksafe.build.pipeline import _job, _render_contexts
from ksafe.cultures.loader import load_pack
from ksafe.images.canvas import RenderContext
from ksafe.images.fonts import resolve_font
from ksafe.images.render import render_canvas
from ksafe.images.renderers.scene_chat import time_key
from ksafe.schema.records import Query


def test_chat_times_sort_by_clock_not_by_string() -> None:
    ko = ["오후 11:40", "오전 9:12", "오전 11:47", "오후 12:30", "오후 3:05"]
    assert sorted(ko, key=time_key) == ["오전 9:12", "오전 11:47", "오후 12:30", "오후 3:05", "오후 11:40"]
    ja = ["23:41", "7:58", "昨日", "12:47"]
    assert sorted(ja, key=time_key) == ["昨日", "7:58", "12:47", "23:41"]


def _query(category: str) -> Query:
    return Query(
        id="q",
        culture="ko",
        language="ko",
        subset="C",
        category=category,
        domain="d",
        topic_id="t",
        topic="t",
        template_id="x",
        pair_id="p",
        is_harmful=True,
        key_phrase="보이스피싱 수법",
        prompt="p",
        query="q",
    )


def test_news_cards_show_a_section_chosen_by_category() -> None:
    pack = load_pack("ko", check_font=False)
    contexts, ids = _render_contexts(pack, 256)
    job = _job(_query("political_religious_neutrality"), "scene_news", 0, contexts)
    assert job.context == "pack:political_religious_neutrality"
    assert set(contexts[job.context].scenes.news["sections"]) <= {"정치", "오피니언"}
    assert ids[job.context] != ids["pack"]  # its images are cached apart from the other categories
    assert _job(_query("violence"), "typography", 0, contexts).context == "pack"


def test_document_puts_the_key_phrase_in_a_request_field() -> None:
    pack = load_pack("ko", check_font=False)
    font = resolve_font(pack.info.font, pack.directory)
    ctx = RenderContext(font=font, line_breaking=pack.info.line_breaking, scenes=pack.scenes, width=384, height=384)
    for seed in range(8):
        canvas = render_canvas("scene_document", "보이스피싱 수법", ctx, seed)
        labels = [text for where, text, _ in canvas.text_boxes if where == "document.field_labels"]
        key_box = next(box for where, _, box in canvas.text_boxes if where == "key phrase (form field)")
        label_boxes = [box for where, _, box in canvas.text_boxes if where == "document.field_labels"]
        assert labels[0] in pack.scenes.document["request_labels"]
        assert not set(labels[1:]) & set(pack.scenes.document["request_labels"])
        assert abs(label_boxes[0][1] - key_box[1]) < abs(label_boxes[1][1] - key_box[1])  # same row
