"""Load and validate a culture pack.

Input: a pack folder (an installed pack's code such as ``ko``, or a path). Output: a ``CulturePack``.
Side effects: none (reads files only). Every problem raises ``PackError`` naming the file and field.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ksafe.cultures.pack_model import (
    BORDERLINE_FILE,
    SLOTS_FILE,
    BorderlineEntry,
    BorderlineFile,
    EntitiesFile,
    GlobalEntitiesFile,
    GSeedsFile,
    GTranslationsFile,
    JailbreaksFile,
    PackInfo,
    RefusalFile,
    ScenesFile,
    SceneTexts,
    SlotsFile,
    TaxonomyFile,
    TemplatesFile,
    TopicsFile,
)
from ksafe.cultures.yaml_io import format_loc, read_yaml
from ksafe.errors import PackError
from ksafe.schema.records import Topic
from ksafe.schema.taxonomy import Category, Domain, Taxonomy

M = TypeVar("M", bound=BaseModel)

PACK_FILES: tuple[str, ...] = (
    "pack.yaml",
    "taxonomy.yaml",
    "topics.yaml",
    "templates.yaml",
    "entities.yaml",
    "g_translations.yaml",
    "jailbreaks.yaml",
    "scenes.yaml",
    "refusals.yaml",
    "slots.yaml",
    "borderline.yaml",
)


@dataclass(frozen=True)
class SharedData:
    """Culture-independent data shipped with ksafe: English G seeds, global entities, English wrappers."""

    g_seeds: GSeedsFile
    global_entities: GlobalEntitiesFile
    jailbreaks_en: JailbreaksFile


@dataclass(frozen=True)
class CulturePack:
    """A validated culture pack."""

    info: PackInfo
    directory: Path
    taxonomy: Taxonomy
    topics: tuple[Topic, ...]
    templates: TemplatesFile
    entities: EntitiesFile
    g_translations: GTranslationsFile
    jailbreaks: JailbreaksFile
    scenes: SceneTexts
    refusals: RefusalFile
    sha256: str
    slots: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Typed pools of local values for C template slots (``slots.yaml``; empty when absent)."""
    borderline: tuple[BorderlineEntry, ...] = ()
    """Borderline benign requests (``borderline.yaml``; empty when absent), prompt and query expanded."""

    @property
    def code(self) -> str:
        """The pack code, e.g. ``ko``."""
        return self.info.code


def builtin_packs_dir() -> Path:
    """Folder holding the built-in packs."""
    return Path(str(resources.files("ksafe.cultures") / "packs"))


def shared_data_dir() -> Path:
    """Folder holding the culture-independent data files."""
    return Path(str(resources.files("ksafe.cultures") / "data"))


def list_packs() -> list[str]:
    """Codes of the installed packs (``ksafe.cultures`` entry points): built-ins first, then plugins."""
    from ksafe.cultures.registry import PACK_REGISTRY

    return PACK_REGISTRY.names()


def resolve_pack_dir(code_or_path: str | Path) -> Path:
    """Return the folder of an installed pack code (built-in or plugin), or the given folder.

    Raises:
        PackError: neither a known code nor a folder holding ``pack.yaml``.
    """
    from ksafe.cultures.registry import PACK_REGISTRY

    text = str(code_or_path)
    candidate = Path(text)
    if (candidate / "pack.yaml").is_file():
        return candidate
    if "/" not in text and text in PACK_REGISTRY:
        return PACK_REGISTRY.get(text).directory  # a folder that merely shares a code's name is not a pack
    if candidate.is_dir():
        return candidate  # a pack folder missing pack.yaml: loading it names the missing file
    known = ", ".join(list_packs()) or "none"
    raise PackError(text, "", f"no such culture pack (installed: {known}; or pass a folder)")


def parse_file(path: Path, model: type[M]) -> M:
    """Read a YAML file and validate it against ``model``, with one-line errors."""
    raw: Any = read_yaml(path)
    if raw is None:
        raise PackError(str(path), "", "file is empty")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = first["msg"]
        if first["type"] == "extra_forbidden":
            message = "unknown key"
        raise PackError(str(path), format_loc(tuple(first["loc"])), message) from None


def load_shared_data() -> SharedData:
    """Load the culture-independent data files."""
    root = shared_data_dir()
    return SharedData(
        g_seeds=parse_file(root / "g_seeds.yaml", GSeedsFile),
        global_entities=parse_file(root / "global_entities.yaml", GlobalEntitiesFile),
        jailbreaks_en=parse_file(root / "jailbreaks_en.yaml", JailbreaksFile),
    )


def _pack_sha256(directory: Path) -> str:
    digest = hashlib.sha256()
    for name in PACK_FILES:
        path = directory / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()


def taxonomy_from_file(tax: TaxonomyFile) -> Taxonomy:
    """Turn a parsed ``taxonomy.yaml`` into the ``Taxonomy`` record."""
    return Taxonomy(
        domains=tuple(Domain(id=d.id, name=d.name, local_name=d.local_name) for d in tax.domains),
        categories=tuple(
            Category(
                id=c.id,
                domain=c.domain,
                name=c.name,
                local_name=c.local_name,
                description=c.description,
                lexicon=tuple(c.lexicon),
            )
            for c in tax.categories
        ),
    )


def load_pack(code_or_path: str | Path, *, check_font: bool = True) -> CulturePack:
    """Load and validate a culture pack.

    Args:
        code_or_path: an installed pack code (``ko``, or a plugin pack's) or a folder.
        check_font: also check that the font covers every character of the pack.

    Raises:
        PackError: the first problem found, naming the file and field.
    """
    from ksafe.cultures.composition import expand_templates
    from ksafe.cultures.validate import validate_pack

    directory = resolve_pack_dir(code_or_path)
    info = parse_file(directory / "pack.yaml", PackInfo)
    taxonomy_file = parse_file(directory / "taxonomy.yaml", TaxonomyFile)
    topics_file = parse_file(directory / "topics.yaml", TopicsFile)
    templates_file = parse_file(directory / "templates.yaml", TemplatesFile)
    pack = CulturePack(
        info=info,
        directory=directory,
        taxonomy=taxonomy_from_file(taxonomy_file),
        topics=tuple(
            Topic(
                id=topic_id(info.code, t.name),
                culture=info.code,
                name=t.name,
                description=t.description,
                categories=tuple(t.categories),
                keywords=tuple(t.keywords),
                source="curated",
                kind=t.kind,
                minors=t.minors,
            )
            for t in topics_file.topics
        ),
        templates=expand_templates(templates_file),
        entities=parse_file(directory / "entities.yaml", EntitiesFile),
        g_translations=parse_file(directory / "g_translations.yaml", GTranslationsFile),
        jailbreaks=parse_file(directory / "jailbreaks.yaml", JailbreaksFile),
        scenes=parse_file(directory / "scenes.yaml", ScenesFile).scenes,
        refusals=parse_file(directory / "refusals.yaml", RefusalFile),
        sha256=_pack_sha256(directory),
        **_optional_files(directory, templates_file),
    )
    validate_pack(pack, taxonomy_file, topics_file, load_shared_data(), check_font=check_font)
    return pack


def _optional_files(directory: Path, templates: TemplatesFile) -> dict[str, Any]:
    """``slots`` and ``borderline`` of the pack (empty when the optional files are absent)."""
    from ksafe.cultures.composition import expand_side

    out: dict[str, Any] = {}
    if (directory / SLOTS_FILE).is_file():
        slots = parse_file(directory / SLOTS_FILE, SlotsFile).slots
        out["slots"] = {name: tuple(values) for name, values in slots.items()}
    if (directory / BORDERLINE_FILE).is_file():
        entries = parse_file(directory / BORDERLINE_FILE, BorderlineFile).borderline
        out["borderline"] = tuple(expand_side(entry, templates.compose) for entry in entries)
    return out


def topic_id(culture: str, name: str) -> str:
    """Content id of a topic."""
    from ksafe.schema.base import content_id

    return content_id("topic", culture, name)
