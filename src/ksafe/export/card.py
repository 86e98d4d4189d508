"""The dataset card (``README.md``) of a built benchmark: warning, taxonomy, counts, fields, licence, method."""

from __future__ import annotations

import json

from ksafe.cultures.loader import CulturePack
from ksafe.schema.records import PROVENANCE_DEFAULTS, BenchmarkItem, Manifest

LICENSE_IDS = {"CC BY-NC 4.0": "cc-by-nc-4.0", "CC BY 4.0": "cc-by-4.0", "CC BY-SA 4.0": "cc-by-sa-4.0"}


def _table(header: tuple[str, ...], rows: list[tuple[object, ...]]) -> str:
    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _field_table(with_provenance: bool = False) -> str:
    rows: list[tuple[object, ...]] = []
    for name, info in BenchmarkItem.model_fields.items():
        if name in PROVENANCE_DEFAULTS and not with_provenance:
            continue  # written only by generated builds
        column = "image_path" if name == "image" else name
        rows.append((f"`{column}`", (info.description or "").strip()))
    rows.append(("`image`", "The image, decoded by `datasets` (PNG bytes in the parquet files)."))
    return _table(("field", "meaning"), rows)


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

{counts["harmful"]} harmful items and {counts["benign"]} matched benign twins ({counts["items"]} rows),
{counts["images"]} distinct images.

{_table(("subset", "harmful items"), subset_rows)}

Contextualization changed {counts["g_contextualization"]["changed_sentences"]} of
{counts["g_contextualization"]["sentences"]} sentences of the harmful G queries (against their literal translations).

## Taxonomy (harmful items per category)

{_table(("domain", "category", "covers", "G", "C"), taxonomy_rows)}

## Jailbreak strategies (harmful items)

`none` is the standard query. Benign twins carry the same wrappers, so over-refusal can be measured per strategy.

{_table(("strategy", "harmful items"), strategy_rows)}

## Image kinds (harmful items)

{_table(("image kind", "harmful items"), kind_rows)}

## Fields

`items.jsonl` holds one record per line; `data/*.parquet` holds the same rows with the image.

{_field_table(any(item.is_generated for item in items))}

## Loading

```python
from datasets import load_dataset
ds = load_dataset("parquet", data_files="data/*.parquet", split="train")
ds[0]["image"]  # a PIL image
```

## How it was built

- Font: `{manifest.font.file}` (SHA-256 `{manifest.font.sha256[:16]}...`), face index {manifest.font.face_index};
  glyph coverage checked before rendering.
- Options: `{manifest.options}`
- Package versions: `{manifest.package_versions}`
- `items.jsonl` SHA-256: `{manifest.items_sha256}`

The same options and seed give byte-identical `items.jsonl` and images.

## Licence

{pack.info.license}.
"""
