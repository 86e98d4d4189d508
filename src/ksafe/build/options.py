"""Options of one build, resolved before any work starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from ksafe.images.generators.base import GeneratorOptions
from ksafe.schema.base import FrozenRecord


class BuildOptions(FrozenRecord):
    """Everything that decides the content of a build (recorded in the manifest)."""

    culture: str
    """Built-in pack code or pack folder."""
    out: Path
    """Output benchmark directory."""
    seed: int = 0
    """Seed fixing every random choice."""
    limit: int | None = Field(default=None, ge=1)
    """Build about this many harmful items (proportional to the pack defaults) instead of the full size."""
    g_count: int | None = Field(default=None, ge=0)
    """Override the pack's default G size (harmful items)."""
    c_count: int | None = Field(default=None, ge=0)
    """Override the pack's default C size (harmful items)."""
    topics_file: Path | None = None
    """Topic records (JSONL) to use instead of the pack's curated topics."""
    image_size: int = Field(default=512, ge=128, le=2048)
    """Width and height of rendered images, in pixels."""
    workers: int = Field(default=0, ge=0)
    """Rendering processes (0: one per CPU core)."""
    write_parquet: bool = True
    """Also write ``data/*.parquet`` with an image column."""
    rejections: Path | None = None
    """A ``rejections.json`` from ``ksafe review apply``: its templates (and topics) are left out."""
    image_generator: GeneratorOptions | None = None
    """Generate pictures with this model, adding the ``sd``, ``sd_typography`` and ``scene_news_photo`` kinds."""
    force: bool = False
    """Replace a benchmark in ``out`` that was built with other options (never a folder ksafe did not write)."""

    def resolved(self, pack_code: str) -> dict[str, Any]:
        """The options that decide the content, as the manifest records them (``culture`` as the pack's code)."""
        resolved = self.model_dump(mode="json", exclude={"out", "workers", "force"})
        resolved["culture"] = pack_code
        return resolved
