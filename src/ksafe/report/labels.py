"""Display names for categories and domains, read from the culture packs' ``taxonomy.yaml``.

Input: culture codes. Output: ``Names`` (English name plus local names per id). Side effects: reads
pack files; a missing or unreadable pack falls back to names derived from the ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ksafe.schema.taxonomy import DEFAULT_CATEGORY_IDS

PACKS_DIR = Path(__file__).resolve().parent.parent / "cultures" / "packs"


@dataclass
class Names:
    """English and local display names of categories and domains."""

    english: dict[str, str] = field(default_factory=dict)
    """Id -> English name."""
    local: dict[str, list[str]] = field(default_factory=dict)
    """Id -> local names (one per culture that names it)."""
    domain_order: list[str] = field(default_factory=list)
    """Domain ids in taxonomy order."""
    category_order: list[str] = field(default_factory=list)
    """Category ids in taxonomy order."""

    def name(self, key: str) -> str:
        """English display name of a category or domain id."""
        return self.english.get(key) or key.replace("_", " ").capitalize()

    def local_name(self, key: str) -> str:
        """Local names joined with `` / `` (empty when unknown)."""
        return " / ".join(self.local.get(key, []))

    def label(self, key: str) -> str:
        """English name followed by the local names, for tables and the page."""
        local = self.local_name(key)
        return f"{self.name(key)} ({local})" if local else self.name(key)


def _read_taxonomy(culture: str) -> dict[str, Any] | None:
    file = PACKS_DIR / culture / "taxonomy.yaml"
    if not culture or "/" in culture or not file.is_file():
        return None
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None


def load_names(cultures: list[str]) -> Names:
    """Collect display names for ``cultures`` (in order; the first pack fixes the display order)."""
    names = Names(category_order=list(DEFAULT_CATEGORY_IDS))
    for culture in cultures:
        data = _read_taxonomy(culture)
        if data is None:
            continue
        for kind in ("domains", "categories"):
            for entry in data.get(kind) or ():
                if not isinstance(entry, dict) or "id" not in entry:
                    continue
                key = str(entry["id"])
                names.english.setdefault(key, str(entry.get("name") or ""))
                local = str(entry.get("local_name") or "")
                if local and local not in names.local.setdefault(key, []):
                    names.local[key].append(local)
                order = names.domain_order if kind == "domains" else names.category_order
                if key not in order:
                    order.append(key)
    return names
