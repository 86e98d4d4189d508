"""``data/*.parquet``: the benchmark rows with an ``image`` column that Hugging Face ``datasets`` decodes.

``image_path`` keeps the relative path; ``variants`` and ``contextualization`` are JSON strings.

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
from ksafe.schema.records import BenchmarkItem

ROWS_PER_FILE = 4000
ROWS_PER_GROUP = 500


def _row(item: BenchmarkItem, out: Path, cache: dict[str, bytes]) -> dict[str, Any]:
    row = item.model_dump(mode="json", exclude={"variants", "contextualization"})
    if item.image not in cache:
        cache[item.image] = (out / item.image).read_bytes()
    row["image_path"] = row.pop("image")
    row["image"] = {"bytes": cache[item.image], "path": item.image}
    row["variants"] = json.dumps([v.model_dump(mode="json") for v in item.variants], ensure_ascii=False)
    row["contextualization"] = (
        json.dumps(item.contextualization.model_dump(mode="json"), ensure_ascii=False)
        if item.contextualization
        else None
    )
    return row


def _schema() -> Any:
    import pyarrow as pa

    fields: list[Any] = []
    for name, info in BenchmarkItem.model_fields.items():
        if name == "image":
            fields.append(pa.field("image_path", pa.string()))
        elif name in ("variants", "contextualization"):
            fields.append(pa.field(name, pa.string()))
        elif info.annotation is bool:
            fields.append(pa.field(name, pa.bool_()))
        else:
            fields.append(pa.field(name, pa.string()))
    fields.append(pa.field("image", pa.struct([("bytes", pa.binary()), ("path", pa.string())])))
    return pa.schema(fields)


def _hf_metadata(schema: Any) -> bytes:
    features: dict[str, Any] = {}
    for field in schema:
        if field.name == "image":
            features[field.name] = {"_type": "Image"}
        elif str(field.type) == "bool":
            features[field.name] = {"dtype": "bool", "_type": "Value"}
        else:
            features[field.name] = {"dtype": "string", "_type": "Value"}
    return json.dumps({"info": {"features": features}}).encode()


def write_parquet(out: Path, items: list[BenchmarkItem]) -> list[Path]:
    """Write the rows into ``out/data/test-0000k-of-0000n.parquet`` (atomic per file)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _schema()
    schema = schema.with_metadata({b"huggingface": _hf_metadata(schema)})
    ordered = sorted(items, key=lambda i: (i.image, i.id))
    chunks = [ordered[i : i + ROWS_PER_FILE] for i in range(0, len(ordered), ROWS_PER_FILE)] or [[]]
    data_dir = out / "data"
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
    remove_stale_shards(out, keep=written)
    return written


_SHARD_NAME = re.compile(r"test-\d{5}-of-\d{5}\.parquet")


def remove_stale_shards(out: Path, keep: list[Path] | None = None) -> None:
    """Delete shards an earlier build wrote (only files named as ksafe names them)."""
    data_dir = out / "data"
    if not data_dir.is_dir():
        return
    for stale in data_dir.glob("*.parquet"):
        if _SHARD_NAME.fullmatch(stale.name) and stale not in (keep or []):
            stale.unlink()
