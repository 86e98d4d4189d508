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


def test_init_chooses_sentence_end_and_script_from_the_language(tmp_path: Path) -> None:
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
    runner = CliRunner()
    for locale, (script, ends) in expected.items():
        folder = tmp_path / locale
        assert runner.invoke(app, ["culture", "init", locale, "--out", str(folder)]).exit_code == 0
        info = yaml.safe_load((folder / "pack.yaml").read_text(encoding="utf-8"))
        assert info["sentence_end"] == ends, locale
        assert info["script"] == script if script else "TODO(fill)" in info["script"], locale
    assert split_sentences("यह पहला वाक्य है। यह दूसरा है", "।॥?!") == ["यह पहला वाक्य है।", "यह दूसरा है"]
    assert split_sentences("Սա առաջինն է։ Սա երկրորդն է", "։?!") == ["Սա առաջինն է։", "Սա երկրորդն է"]
    assert split_sentences("ဒါ ပထမ ဝါကျ ဖြစ်သည်၊ ဆက်ရန်။ ဒုတိယ", "။?!") == ["ဒါ ပထမ ဝါကျ ဖြစ်သည်၊ ဆက်ရန်။", "ဒုတိယ"]
