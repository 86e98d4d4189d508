"""``ksafe culture init`` writes a pack that ``culture check`` rejects until every TODO(fill) is filled."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from ksafe.cli import app


def test_scaffold_fails_check_until_markers_are_filled(tmp_path: Path) -> None:
    folder = tmp_path / "th"
    runner = CliRunner()
    result = runner.invoke(app, ["culture", "init", "th-TH", "--out", str(folder)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [
            "fonts",  # Noto Sans Thai merged with the Latin letters and digits it lacks
            "pack.yaml",
            "taxonomy.yaml",
            "topics.yaml",
            "templates.yaml",
            "entities.yaml",
            "g_translations.yaml",
            "jailbreaks.yaml",
            "scenes.yaml",
            "refusals.yaml",
            "mining.yaml",
        ]
    )
    result = runner.invoke(app, ["culture", "check", str(folder)])
    assert result.exit_code == 2
    assert "pack.yaml: display_name: still holds TODO(fill)" in result.output
    for path in folder.glob("*.yaml"):  # a user filling every marker (here: keeping the English hints)
        path.write_text(path.read_text(encoding="utf-8").replace("TODO(fill): ", ""), encoding="utf-8")
    result = runner.invoke(app, ["culture", "check", str(folder)])
    assert result.exit_code == 0, result.output
    assert "ok: th (THSAFE-MM): 11 categories" in result.output
    # the comments that mention the marker do not count; one value left does
    text = (folder / "scenes.yaml").read_text(encoding="utf-8")
    (folder / "scenes.yaml").write_text(text.replace("chat app_name", "TODO(fill)", 1), encoding="utf-8")
    result = runner.invoke(app, ["culture", "check", str(folder)])
    assert result.exit_code == 2 and "scenes.yaml: scenes.chat.app_name[0]: still holds TODO(fill)" in result.output
    (folder / "scenes.yaml").write_text(text, encoding="utf-8")
    # the optional mining.yaml is checked too: markers, then a repeated word
    mining = folder / "mining.yaml"
    mining.write_text("filler_words: [TODO(fill)]\n", encoding="utf-8")
    result = runner.invoke(app, ["culture", "check", str(folder)])
    assert result.exit_code == 2 and "mining.yaml: filler_words[0]: still holds TODO(fill)" in result.output
    mining.write_text("filler_words: [talk, talk]\n", encoding="utf-8")
    result = runner.invoke(app, ["culture", "check", str(folder)])
    assert result.exit_code == 2 and "mining.yaml: filler_words[1]: duplicate value 'talk'" in result.output


def test_init_refuses_a_non_empty_folder_and_a_bad_locale(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("x")
    runner = CliRunner()
    assert runner.invoke(app, ["culture", "init", "th-TH", "--out", str(tmp_path)]).exit_code == 2
    result = runner.invoke(app, ["culture", "init", "Thai!", "--out", str(tmp_path / "n")])
    assert result.exit_code == 2 and "expected a language code" in result.output


def test_init_chooses_sentence_end_and_script_from_the_language() -> None:
    """``sentence_end`` splits G sentences (``ksafe.queries.sentences``): the scaffold picks it per script."""
    import yaml

    from ksafe.queries.sentences import split_sentences

    expected = {
        "ja-JP": ("Jpan", "。？！?!"),
        "zh-CN": ("Hans", "。？！?!"),
        "th-TH": ("Thai", " ?!"),
        "hi-IN": ("Deva", "।॥?!"),
        "ar-EG": ("Arab", ".؟!۔"),
        "hy-AM": ("Armn", "։?!"),
        "am-ET": ("Ethi", "።፧?!"),
        "my-MM": ("Mymr", "။?!"),
        "km-KH": ("Khmr", "។៕?!"),
        "el-GR": ("Grek", ".;\u037e!"),  # the Greek question mark is ";" (U+037E)
        "fr-FR": ("Latn", ".?!"),
        "xx-XX": (None, ".?!"),  # a language the table lacks: the script stays to fill, the default ends
    }
    from ksafe.cultures.scaffold import scaffold_files

    for locale, (script, ends) in expected.items():  # what init writes (the font merge is tested below)
        info = yaml.safe_load(yaml.safe_dump(scaffold_files(locale)["pack.yaml"], allow_unicode=True))
        assert info["sentence_end"] == ends, locale
        assert info["script"] == script if script else "TODO(fill)" in info["script"], locale
    assert split_sentences("यह पहला वाक्य है। यह दूसरा है", "।॥?!") == ["यह पहला वाक्य है।", "यह दूसरा है"]
    assert split_sentences("Սա առաջինն է։ Սա երկրորդն է", "։?!") == ["Սա առաջինն է։", "Սա երկրորդն է"]
    assert split_sentences("ဒါ ပထမ ဝါကျ ဖြစ်သည်၊ ဆက်ရန်။ ဒုတိယ", "။?!") == ["ဒါ ပထမ ဝါကျ ဖြစ်သည်၊ ဆက်ရန်။", "ဒုတိယ"]


SAMPLES = {
    "th-TH": ("Thai", "ราคาน้ำมันขึ้น 5% ในปี 2024 (ข่าว)"),
    "hi-IN": ("Deva", "क्या यह 100 रुपये का नोट असली है? हाँ।"),
    "ar-EG": ("Arab", "هل هذه الرسالة حقيقية؟ الرقم 010-1234"),
    "ja-JP": ("Jpan", "このメッセージは本物ですか？「詐欺」に注意、3万円。"),
    "fr-FR": ("Latn", "Ce message est-il authentique ? « Arnaque » à 30 €, Noël."),
}
"""A sentence a filled pack of each locale holds: its script with digits, Latin and punctuation."""


def test_init_chooses_a_font_covering_the_script_and_its_line_breaking(tmp_path: Path) -> None:
    """Each scaffold's font draws its script (and the digits and Latin a pack holds) and its lines break as
    the script does: Thai by words between characters, Japanese by character with kinsoku, French at spaces."""
    import yaml
    from fontTools.ttLib import TTFont

    from ksafe.cultures.pack_model import FontSpec
    from ksafe.cultures.script_fonts import script_letters
    from ksafe.images.fonts import resolve_font
    from ksafe.images.glyphs import missing_glyphs

    runner = CliRunner()
    modes = {}
    for locale, (script, sample) in SAMPLES.items():
        folder = tmp_path / locale
        result = runner.invoke(app, ["culture", "init", locale, "--out", str(folder)])
        assert result.exit_code == 0, result.output
        assert not list(tmp_path.glob(".*")), locale  # the staging folder became the pack
        info = yaml.safe_load((folder / "pack.yaml").read_text(encoding="utf-8"))
        font = resolve_font(FontSpec(**info["font"]), folder)
        assert missing_glyphs(font, sample) == [], locale
        cmap = TTFont(str(font.path), fontNumber=font.face_index, lazy=True).getBestCmap()
        letters = script_letters(script)
        assert len(letters & set(cmap)) / len(letters) > 0.95, locale
        modes[locale] = info["line_breaking"]
    assert modes["th-TH"] == {"mode": "chars", "no_line_start": "", "no_line_end": "", "phrases": "thai"}
    assert modes["ja-JP"]["mode"] == "chars" and modes["ja-JP"]["phrases"] == "unidic"
    assert "。" in modes["ja-JP"]["no_line_start"] and "「" in modes["ja-JP"]["no_line_end"]
    for locale in ("hi-IN", "ar-EG", "fr-FR"):
        assert modes[locale] == {"mode": "words", "no_line_start": "", "no_line_end": ""}, locale
    # Noto Sans Thai has no Latin letters or digits: the scaffold's font is it merged with Noto Sans
    assert (tmp_path / "th-TH" / "fonts" / "NotoSansThaiRegular-ksafe.ttf").is_file()
    info = yaml.safe_load((tmp_path / "fr-FR" / "pack.yaml").read_text(encoding="utf-8"))
    assert info["font"]["face_name"] == "Noto Sans Regular"  # upright, not Noto Sans Italic


def test_the_font_of_each_script_is_the_regional_upright_face() -> None:
    from ksafe.cultures.scaffold import scaffold_files

    faces = {locale: scaffold_files(locale)["pack.yaml"]["font"]["face_name"] for locale in ("ko", "ja", "zh", "ru")}
    assert faces == {
        "ko": "Noto Sans CJK KR",
        "ja": "Noto Sans CJK JP",
        "zh": "Noto Sans CJK SC",
        "ru": "Noto Sans Regular",
    }
    font = scaffold_files("xx-XX")["pack.yaml"]["font"]  # a script the table lacks: the font is to fill
    assert "TODO(fill)" in font["file"] and "TODO(fill)" in font["face_name"]


def test_a_killed_init_leaves_no_pack_and_the_same_command_runs_again(tmp_path: Path) -> None:
    staging = tmp_path / ".ko.ksafe-init"  # what a kill -9 during the font merge leaves
    staging.mkdir()
    (staging / "pack.yaml").write_text("code: th\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["culture", "init", "ko-KR", "--out", str(tmp_path / "ko")])
    assert result.exit_code == 0, result.output
    assert not staging.exists() and len(list((tmp_path / "ko").glob("*.yaml"))) == 10
