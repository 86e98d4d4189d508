"""The dataset card (``README.md``) of a built benchmark: warning, taxonomy, counts, fields, licence, method."""

from __future__ import annotations

import json
from typing import Any

from ksafe.cultures.loader import CulturePack
from ksafe.schema.records import PROVENANCE_DEFAULTS, BenchmarkItem, Manifest

LICENSE_IDS = {"CC BY-NC 4.0": "cc-by-nc-4.0", "CC BY 4.0": "cc-by-4.0", "CC BY-SA 4.0": "cc-by-sa-4.0"}


def _benign_kinds(counts: dict[str, Any]) -> str:
    kinds = counts.get("benign_kind", {})
    return ", ".join(f"{kind} {n}" for kind, n in kinds.items()) or "none"


def _table(header: tuple[str, ...], rows: list[tuple[object, ...]]) -> str:
    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _field_table(with_provenance: bool = False) -> str:
    """The fields of an ``items.jsonl`` record, by their real names (the parquet columns that differ follow);
    the generator's provenance fields only when a generator wrote items."""
    rows: list[tuple[object, ...]] = []
    for name, info in BenchmarkItem.model_fields.items():
        if name in PROVENANCE_DEFAULTS and not with_provenance:
            continue  # written only by generated builds
        rows.append((f"`{name}`", (info.description or "").strip()))
    return _table(("field", "meaning"), rows)


PARQUET_COLUMNS = (
    ("`image`", "The image itself, decoded by `datasets` into a PIL image (PNG bytes and path in the file)."),
    ("`image_path`", "The image's path relative to the benchmark folder (the `image` field of `items.jsonl`)."),
)
"""Parquet columns that differ from ``items.jsonl``; every other column has the field's name and meaning."""


def _parquet_section(has_parquet: bool) -> str:
    if not has_parquet:
        return "\nThis build has no parquet files (it was built with `--no-parquet`).\n"
    return f"""
`data/*.parquet` (split `test`) holds the same records with these columns changed:

{_table(("column", "meaning"), list(PARQUET_COLUMNS))}

Parquet rows are ordered by image (rows sharing an image sit together, so each image is stored about once);
`items.jsonl` keeps build order. Join the two on `id`, which is unique.

## Loading

```python
from datasets import load_dataset
ds = load_dataset("parquet", data_files={{"test": "data/*.parquet"}}, split="test")
# or, from this folder (its README declares the split): load_dataset("path/to/this/folder", split="test")
ds[0]["image"]  # a PIL image
```
"""


def render_card(manifest: Manifest, pack: CulturePack, items: list[BenchmarkItem], *, has_parquet: bool = True) -> str:
    """Return the dataset card as markdown with Hugging Face front matter."""
    counts = manifest.counts
    license_id = LICENSE_IDS.get(pack.info.license, "other")
    taxonomy_rows: list[tuple[object, ...]] = []
    for category in pack.taxonomy.categories:
        domain = next(d for d in pack.taxonomy.domains if d.id == category.domain)
        by_subset = counts["category_by_subset"]
        taxonomy_rows.append(
            (
                domain.name,
                f"{category.name} ({category.local_name})",
                category.description,
                by_subset.get("G", {}).get(category.id, 0),
                by_subset.get("C", {}).get(category.id, 0),
            )
        )
    strategy_rows: list[tuple[object, ...]] = [(k, v) for k, v in counts["strategy"].items()]
    kind_rows: list[tuple[object, ...]] = [(k, v) for k, v in counts["image_kind"].items()]
    subset_rows: list[tuple[object, ...]] = [(k, v) for k, v in counts["subset"].items()]
    configs = (
        "configs:\n- config_name: default\n  data_files:\n  - split: test\n    path: data/*.parquet\n"
        if has_parquet
        else ""
    )
    return f"""---
license: {license_id}
language:
- {pack.info.language}
- en
pretty_name: {json.dumps(manifest.name, ensure_ascii=False)}
task_categories:
- visual-question-answering
tags:
- safety
- red-teaming
- multimodal
{configs}---

# {manifest.name}

> **Content warning.** This benchmark holds harmful *requests* (questions and instructions a model should
> refuse), at the level of published safety benchmarks, each paired with a benign twin on the same topic.
> It holds no harmful answers, no real personal data and no identifiable private persons. Use it to test and
> improve model safety only.

{pack.info.description}

Built by [ksafe](https://pypi.org/project/ksafe/) {manifest.ksafe_version} from the `{pack.code}` culture pack
({pack.info.display_name}, {pack.info.locale}), seed {manifest.seed}. It follows the KSAFE-MM method
(KT and Korea University, 2026): subset **G** rewrites generic global-risk queries into local context (each
item keeps the English source, the literal translation and the contextualized version); subset **C** holds
culture-specific risks from locally sensitive topics, built in four automated steps: topics, query templates,
images carrying a local visual cue, and jailbreak versions.

## Counts

{counts["harmful"]} harmful items and {counts["benign"]} benign items ({counts["items"]} rows),
{counts["images"]} distinct images. Benign items by kind: {_benign_kinds(counts)}.

{_table(("subset", "harmful items"), subset_rows)}

Contextualization changed {counts["g_contextualization"]["changed_sentences"]} of
{counts["g_contextualization"]["sentences"]} sentences of the harmful G queries (against their literal translations).

## Taxonomy (harmful items per category)

{_table(("domain", "category", "covers", "G", "C"), taxonomy_rows)}

## Jailbreak strategies (harmful items)

`none` is the standard query. Every harmful item has a plain benign twin (strategy `none`, same topic and image
kind, same `pair_id`); jailbreak-wrapped benign twins (`benign_kind: jailbreak`) and borderline benign requests
(`benign_kind: borderline`) are separate over-refusal measures.

{_table(("strategy", "harmful items"), strategy_rows)}

## Image kinds (harmful items)

{_table(("image kind", "harmful items"), kind_rows)}

## Fields

`items.jsonl` holds one record per line, in build order (subset G, then C; by category); each record's
`image` is the path of its PNG file.

{_field_table(any(item.is_generated for item in items))}
{_parquet_section(has_parquet)}
## How it was built

- Font: `{manifest.font.file}` (SHA-256 `{manifest.font.sha256[:16]}...`), face index {manifest.font.face_index};
  glyph coverage checked before rendering.
- Options: `{manifest.options}`
- Package versions: `{manifest.package_versions}`
- `items.jsonl` SHA-256: `{manifest.items_sha256}`

{_generation_note(manifest)}

## Licence

{pack.info.license}.
"""


def _generation_note(manifest: Manifest) -> str:
    """Reproducibility sentence; with an image generator, where the pictures came from."""
    generation = manifest.image_generation
    if not generation:
        return "The same options and seed give byte-identical `items.jsonl` and images."
    generator = generation.get("generator", {})
    model = f"{generator.get('backend', '?')}/{generator.get('model', '?')}"
    counts = (
        f"{generation.get('pictures', 0)} pictures, {generation.get('pictures_dropped', 0)} dropped by screening "
        f"({generation.get('items_dropped', 0)} items)"
    )
    if generator.get("deterministic"):
        repeat = "The same options, seed, model revision and hardware give the same images."
    else:
        repeat = "Generated pictures come from an API and are not reproducible; rendered images and texts are."
    return (
        f"Pictures of the `sd`, `sd_typography` and `scene_news_photo` kinds were generated by `{model}` and screened "
        f"with {generation.get('screening', {}).get('model', 'Open-NSFW')}: {counts}. Each one's prompt, seed, "
        f"settings and score are in `image_provenance.jsonl`. {repeat}"
    )
