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
    generator: str | None = None
    """Inspect model string of the model that writes step 2's C queries (``None``: the template path)."""
    critic: str | None = None
    """Inspect model string of the critic that scores generated candidates (default: the generator)."""
    candidates_per_slot: int = Field(default=3, ge=1, le=20)
    """Candidates the generator writes for each (topic, category) slot."""
    critic_min_score: int = Field(default=3, ge=1, le=5)
    """A candidate scoring below this (1-5) on any critic criterion is dropped."""
    rewrite_queries: bool = False
    """Also have the generator rewrite each jailbreak item's standard query in the strategy's style (its
    ``text_only``); needs ``generator``."""
    max_calls: int | None = Field(default=None, ge=0)
    """Budget of new model calls (journaled answers are free); the build stops when it is spent."""
    generator_connections: int = Field(default=8, ge=1, le=512)
    """Generator and critic calls in flight at once."""
    generator_timeout_s: int = Field(default=120, ge=1)
    """Seconds one generator attempt may take before Inspect retries it."""

    def resolved(self, pack_code: str) -> dict[str, Any]:
        """The options that decide the content, as the manifest records them (``culture`` as the pack's code)."""
        resolved = self.model_dump(mode="json", exclude={"out", "workers", "force", *_CALL_SETTINGS})
        resolved["culture"] = pack_code
        if self.generator is None:  # the template path: the same options as before generation existed
            for name in _GENERATION_CONTENT:
                del resolved[name]
        else:
            resolved["critic"] = self.critic or self.generator
            if not self.rewrite_queries:  # generated builds from before the option keep their resolved options
                del resolved["rewrite_queries"]
        return resolved


_GENERATION_CONTENT = ("generator", "critic", "candidates_per_slot", "critic_min_score", "rewrite_queries")
"""Options that decide a generated build's content."""
_CALL_SETTINGS = ("max_calls", "generator_connections", "generator_timeout_s")
"""How calls are made, not what they say: never part of the resolved options."""
