"""``data/*.parquet``: the benchmark rows with an ``image`` column that Hugging Face ``datasets`` decodes.

``image_path`` keeps the relative path; ``variants`` is a list of structs (one per other G version: English
source, literal translation) and ``contextualization`` a struct (null for C items), so ``datasets`` returns
them as a list of dicts and a dict.

Rows sharing an image sit next to each other and the image bytes are dictionary-encoded, so an image used by
several items (one query under several jailbreak wrappers) is stored about once per row group.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

from ksafe.fileio import write_bytes_atomic
from ksafe.schema.records import PROVENANCE_DEFAULTS, BenchmarkItem, Contextualization, ItemVariant

ROWS_PER_FILE = 4000
ROWS_PER_GROUP = 500


def _row(item: BenchmarkItem, out: Path, cache: dict[str, bytes]) -> dict[str, Any]:
    row = item.model_dump(mode="json", exclude={"variants", "contextualization"})
    for name, default in PROVENANCE_DEFAULTS.items():
        row.setdefault(name, default)  # a generated build's template-fallback rows still fill the column
    if item.image not in cache:
        cache[item.image] = (out / item.image).read_bytes()
    row["image_path"] = row.pop("image")
    row["image"] = {"bytes": cache[item.image], "path": item.image}
    row["variants"] = [v.model_dump(mode="json") for v in item.variants]
    row["contextualization"] = item.contextualization.model_dump(mode="json") if item.contextualization else None
    return row


_STRING = {"dtype": "string", "_type": "Value"}
_INT = {"dtype": "int32", "_type": "Value"}
CONTEXTUALIZATION_COLUMNS: dict[str, Any] = {
    "literal": _STRING,
    "contextualized": _STRING,
    "swaps": [[_STRING]],
    "changed_sentences": [_INT],
    "sentence_count": _INT,
}
"""Hugging Face features of the ``contextualization`` struct (a JSON list means a list feature)."""


def _variant_features() -> dict[str, Any]:
    return {name: _STRING for name in ItemVariant.model_fields}  # every variant field is text


def _arrow_type(feature: Any) -> Any:
    """The Arrow type of a Hugging Face feature written as JSON (Value, list, dict)."""
    import pyarrow as pa

    if isinstance(feature, list):
        return pa.list_(_arrow_type(feature[0]))
    if feature.get("_type") == "Value":
        return {"string": pa.string(), "int32": pa.int32(), "bool": pa.bool_()}[feature["dtype"]]
    if feature.get("_type") == "Image":
        return pa.struct([("bytes", pa.binary()), ("path", pa.string())])
    return pa.struct([(name, _arrow_type(sub)) for name, sub in feature.items()])


def features(with_provenance: bool = False) -> dict[str, Any]:
    """Hugging Face features of a parquet row, in column order (``source``, ``prompt_version``: generated builds)."""
    if set(CONTEXTUALIZATION_COLUMNS) != set(Contextualization.model_fields):
        raise RuntimeError("parquet: CONTEXTUALIZATION_COLUMNS no longer matches the Contextualization record")
    columns: dict[str, Any] = {}
    for name, info in BenchmarkItem.model_fields.items():
        if name in PROVENANCE_DEFAULTS and not with_provenance:
            continue
        if name == "image":
            columns["image_path"] = _STRING
        elif name == "variants":
            columns[name] = [_variant_features()]
        elif name == "contextualization":
            columns[name] = CONTEXTUALIZATION_COLUMNS
        elif info.annotation is bool:
            columns[name] = {"dtype": "bool", "_type": "Value"}
        else:
            columns[name] = _STRING
    columns["image"] = {"_type": "Image"}
    return columns


def _schema(with_provenance: bool = False) -> Any:
    import pyarrow as pa

    columns = features(with_provenance)
    schema = pa.schema([pa.field(name, _arrow_type(feature)) for name, feature in columns.items()])
    return schema.with_metadata({b"huggingface": json.dumps({"info": {"features": columns}}).encode()})


def write_parquet(out: Path, items: list[BenchmarkItem], dest: Path | None = None) -> list[Path]:
    """Write the rows into ``DEST/data/test-0000k-of-0000n.parquet`` (atomic per file).

    Args:
        out: the benchmark folder (image paths are relative to it).
        items: the rows.
        dest: the folder to write ``data/`` into (default: ``out``).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    provenance = any(item.is_generated for item in items)
    schema = _schema(provenance)
    ordered = sorted(items, key=lambda i: (i.image, i.id))
    chunks = [ordered[i : i + ROWS_PER_FILE] for i in range(0, len(ordered), ROWS_PER_FILE)] or [[]]
    target = dest or out
    data_dir = target / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    cache: dict[str, bytes] = {}
    for index, chunk in enumerate(chunks):
        rows = [_row(item, out, cache) for item in chunk]
        table = pa.Table.from_pylist(rows, schema=schema)
        buffer = io.BytesIO()
        pq.write_table(
            table,
            buffer,
            row_group_size=ROWS_PER_GROUP,
            compression="zstd",
            use_dictionary=True,
            dictionary_pagesize_limit=64 * 1024 * 1024,
        )
        path = data_dir / f"test-{index:05d}-of-{len(chunks):05d}.parquet"
        write_bytes_atomic(path, buffer.getvalue())
        written.append(path)
        cache.clear()
    remove_stale_shards(target, keep=written)
    return written


_SHARD_NAME = re.compile(r"test-\d{5}-of-\d{5}\.parquet")


def is_shard_name(name: str) -> bool:
    """True for a parquet file name as ksafe names its shards (any other file is the user's)."""
    return _SHARD_NAME.fullmatch(name) is not None


def remove_stale_shards(out: Path, keep: list[Path] | None = None) -> None:
    """Delete shards an earlier build wrote (only files named as ksafe names them)."""
    data_dir = out / "data"
    if not data_dir.is_dir():
        return
    for stale in data_dir.glob("*.parquet"):
        if is_shard_name(stale.name) and stale not in (keep or []):
            stale.unlink()
