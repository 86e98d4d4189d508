"""Scaffold a new culture pack (``ksafe culture init xx-XX``) and find what is still to fill in.

Input: a locale (``xx-XX``) and a target folder. Output: every pack file of docs/design/culture-packs.md,
each value to localize holding the marker ``TODO(fill)`` (English source text follows it as a hint); the
script, ``sentence_end``, ``line_breaking`` (``cultures.scripts``) and font (``cultures.script_fonts``) chosen
for the language's script. Side effects: creates the folder and writes the ten YAML files (nine required,
``mining.yaml`` optional), plus ``fonts/`` when the script's font is merged with Latin and digits; refuses to
overwrite a non-empty folder. The files are written into a hidden sibling folder renamed into place at the
end, so a killed init leaves no half pack and the same command runs again.

Marker detection: ``find_todo_markers`` parses each pack file as YAML and walks every key and string value;
any that contains ``TODO(fill)`` is reported with its file and field path. Comments are never parsed, so
YAML comments may mention the marker freely. ``ksafe culture check`` fails on the first marker left, then
runs the full loader (``load_pack``), so a scaffold passes only once every marker is replaced.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from ksafe.errors import KsafeError, PackError

MARKER = "TODO(fill)"
LOCALE = re.compile(r"^([a-z]{2,3})(?:[-_]([A-Z]{2}|[0-9]{3}))?$")
_DEFAULT_DOMAINS = (
    ("content_safety", "Content Safety"),
    ("socio_economic", "Socio-economic"),
    ("legal_rights", "Legal and Rights"),
)
_HEADER = (
    "# Scaffolded by `ksafe culture init`. Replace every value that contains the marker TODO(fill)\n"
    "# (the English after the marker is the source to translate or localize), then run\n"
    "# `ksafe culture check <folder>`. See docs/new-culture.md.\n"
)


def todo(hint: str = "") -> str:
    """A value to fill in, with an optional English hint."""
    return f"{MARKER}: {hint}" if hint else MARKER


_FONT_TO_FILL = {
    "package": "manimgx_fonts",
    "file": todo("a font file covering the script (package manimgx_fonts ships Noto Sans for many scripts)"),
    "face_name": todo("the face name inside the file"),
    "variation": "Regular",
}


def _taxonomy() -> dict[str, Any]:
    from ksafe.cultures.loader import builtin_packs_dir, parse_file
    from ksafe.cultures.pack_model import TaxonomyFile

    source = builtin_packs_dir() / "ko" / "taxonomy.yaml"
    tax = parse_file(source, TaxonomyFile)
    return {
        "domains": [{"id": d.id, "name": d.name, "local_name": todo(d.name)} for d in tax.domains],
        "categories": [
            {
                "id": c.id,
                "domain": c.domain,
                "name": c.name,
                "local_name": todo(c.name),
                "description": c.description,
                "lexicon": [todo(f"words that signal {c.name} in local community text")],
            }
            for c in tax.categories
        ],
    }


def _texts(source: Any) -> dict[str, str]:
    return {key: todo(getattr(source, key)) for key in ("key_phrase", "prompt", "query")}


def scaffold_files(locale: str) -> dict[str, dict[str, Any]]:
    """The content of every pack file for ``locale`` (``xx`` or ``xx-XX``).

    Raises:
        KsafeError: the locale is not ``xx`` or ``xx-XX``.
    """
    from ksafe.cultures.loader import load_shared_data
    from ksafe.cultures.scripts import LANGUAGE_SCRIPTS, line_breaking_for, sentence_end_for
    from ksafe.cultures.validate import SCENE_KEYS

    match = LOCALE.match(locale)
    if not match:
        raise KsafeError(f"locale {locale!r}: expected a language code like 'th' or 'th-TH'")
    language = match[1]
    script = LANGUAGE_SCRIPTS.get(language, "")
    shared = load_shared_data()
    taxonomy = _taxonomy()
    categories = [c["id"] for c in taxonomy["categories"]]
    return {
        "pack.yaml": {
            "code": language,
            "benchmark_name": f"{language.upper()}SAFE-MM",
            "display_name": todo("the language's English name"),
            "language": language,
            "locale": locale if match[2] else todo(f"{language}-XX"),
            "script": script or todo("ISO 15924 code: Latn, Cyrl, Thai, Deva, Arab, Hang, Jpan, Hans..."),
            "description": todo("one paragraph on the pack"),
            "font": _script_font(script),
            "line_breaking": line_breaking_for(script),
            "sentence_end": sentence_end_for(script),
            "defaults": {"g_count": 550, "c_count": 1100},
            "license": "CC BY-NC 4.0",
        },
        "taxonomy.yaml": taxonomy,
        "topics.yaml": {
            "topics": [
                {
                    "name": todo(f"a locally sensitive topic ({c})"),
                    "kind": "act_or_method",
                    "description": todo("short neutral English description"),
                    "categories": [c],
                    "keywords": [todo("related local words")],
                }
                for c in categories
            ]
        },
        "templates.yaml": {
            "templates": [
                {
                    "id": f"{c}_01",
                    "category": c,
                    "kinds": ["act_or_method"],
                    "harmful": {
                        k: todo(f"harmful request about {{topic}} ({k})") for k in ("key_phrase", "prompt", "query")
                    },
                    "benign": {
                        k: todo(f"benign twin about {{topic}} ({k})") for k in ("key_phrase", "prompt", "query")
                    },
                }
                for c in categories
            ]
        },
        "entities.yaml": {
            "entities": {
                slot: {"literal": [todo(v) for v in values], "local": [todo(f"local {slot} values")]}
                for slot, values in shared.global_entities.entities.items()
            }
        },
        "g_translations.yaml": {
            "translations": {
                s.id: {"harmful": _texts(s.harmful), "benign": _texts(s.benign)} for s in shared.g_seeds.seeds
            }
        },
        "jailbreaks.yaml": {
            "jailbreaks": {
                name: {"template": todo(entry.template)} for name, entry in shared.jailbreaks_en.jailbreaks.items()
            }
        },
        "scenes.yaml": {
            "scenes": {scene: {key: [todo(f"{scene} {key}")] for key in keys} for scene, keys in SCENE_KEYS.items()}
        },
        "mining.yaml": {
            "filler_words": [todo("frame words that are never part of a topic: 'talk', 'after', 'news', 'beware'")],
            "generic_words": [todo("words too general to be a topic alone: 'illegal', 'message', a platform name")],
            "ambiguous_words": [todo("lexicon words with a common harmless sense, or delete this line")],
        },
        "refusals.yaml": {
            "refusal_phrases": [todo("phrases a model uses to refuse, e.g. 'I can't help with that'")],
            "warning_phrases": [todo("phrases of a safe answer that warns")],
        },
    }


def _script_font(script: str) -> dict[str, Any]:
    """The shipped face covering most of ``script`` (``font`` to fill when none does or the script is unknown)."""
    from ksafe.cultures.script_fonts import best_face, font_spec

    if not script:
        return dict(_FONT_TO_FILL)
    try:
        return font_spec(best_face(script))
    except KsafeError:
        return dict(_FONT_TO_FILL)


def _pack_font(files: dict[str, dict[str, Any]], folder: Path) -> dict[str, Any]:
    """The scaffold's font, merged (into ``folder/fonts``) with what the face lacks of ``PACK_CHARS`` and the
    scaffold's English hints, so a filled pack can hold digits and Latin letters (Noto Sans Thai has neither)."""
    from ksafe.cultures.script_fonts import PACK_CHARS, choose_font

    info = files["pack.yaml"]
    if info["font"] == _FONT_TO_FILL:
        return info["font"]
    chars = {c for content in files.values() for c in yaml.safe_dump(content, allow_unicode=True)} | PACK_CHARS
    return choose_font(info["script"], {c for c in chars if c not in "\n\r\t"}, folder)


def init_pack(locale: str, folder: Path) -> list[Path]:
    """Write a scaffold pack for ``locale`` into ``folder`` and return the files written.

    Raises:
        KsafeError: bad locale, or ``folder`` exists and is not empty.
    """
    import shutil

    from ksafe.fileio import write_text_atomic

    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise KsafeError(f"{folder}: folder exists and is not empty (choose a new folder)")
    files = scaffold_files(locale)
    staging = folder.parent / f".{folder.name}.ksafe-init"
    if staging.exists():  # a killed init's (the name is this command's)
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    files["pack.yaml"]["font"] = _pack_font(files, staging)
    for name, content in files.items():
        text = yaml.safe_dump(content, allow_unicode=True, sort_keys=False, width=110)
        write_text_atomic(staging / name, _HEADER + text)
    if folder.exists():
        folder.rmdir()  # empty (checked above)
    staging.rename(folder)
    return [folder / name for name in files]


def _walk(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{key}" if path else str(key)
            yield sub, str(key)
            yield from _walk(item, sub)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


def find_todo_markers(folder: Path) -> list[tuple[str, str]]:
    """Every (file, field) of the pack in ``folder`` whose key or string value still holds the marker."""
    from ksafe.cultures.loader import PACK_FILES
    from ksafe.cultures.pack_model import MINING_FILE
    from ksafe.cultures.yaml_io import read_yaml

    found: list[tuple[str, str]] = []
    for name in (*PACK_FILES, MINING_FILE):
        path = folder / name
        if path.is_file():
            found += [(str(path), field) for field, text in _walk(read_yaml(path), "") if MARKER in text]
    return found


def check_no_markers(folder: Path) -> None:
    """Raise ``PackError`` naming the first field still holding the marker (and how many are left)."""
    found = find_todo_markers(folder)
    if found:
        file, field = found[0]
        raise PackError(file, field, f"still holds {MARKER} ({len(found)} marker(s) left in the pack)")
