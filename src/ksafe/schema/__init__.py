"""Immutable records, one per pipeline stage. Ids are content hashes."""

from ksafe.schema.base import FrozenRecord, content_id
from ksafe.schema.records import (
    BenchmarkItem,
    GVersion,
    ImageAsset,
    ItemVariant,
    Manifest,
    Query,
    Subset,
    Topic,
)
from ksafe.schema.taxonomy import DEFAULT_CATEGORY_IDS, Category, Domain, Taxonomy

__all__ = [
    "DEFAULT_CATEGORY_IDS",
    "BenchmarkItem",
    "Category",
    "Domain",
    "FrozenRecord",
    "GVersion",
    "ImageAsset",
    "ItemVariant",
    "Manifest",
    "Query",
    "Subset",
    "Taxonomy",
    "Topic",
    "content_id",
]
