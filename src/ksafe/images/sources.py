"""Registry of image sources (renderers now, image generators later): entry-point group ``ksafe.image_sources``.

Input: an image kind (``typography``). Output: the registered ``ImageSource``. Side effects: the first lookup
imports the modules the installed entry points name. Image kinds shown to users, checked in packs and planned
in builds all come from here; nothing else lists them.

An image source is any object with the four read-only attributes of ``ImageSource``. A renderer is a
``RendererInfo`` (deterministic, offline, drawn with the pack's font); a kind built around a generated picture
(a diffusion model, an images API) sets ``needs_generator`` and is only planned when a build names an image
generator (``--image-generator``), never by default.
"""

from __future__ import annotations

import re
from typing import Protocol, runtime_checkable

from ksafe.plugins import GROUP_IMAGE_SOURCES, Registry

_KIND = re.compile(r"[a-z][a-z0-9_]*")


@runtime_checkable
class ImageSource(Protocol):
    """What every image source tells ksafe about itself."""

    @property
    def name(self) -> str:
        """Image kind written in benchmark records and pack ``image_prompts`` (``scene_chat``)."""
        ...

    @property
    def description(self) -> str:
        """One line for listings and the dataset card."""
        ...

    @property
    def text_only(self) -> bool:
        """The image carries only the key phrase (no localized scene or picture): subset G uses these kinds,
        since G items also have an English source version."""
        ...

    @property
    def needs_generator(self) -> bool:
        """Needs an image generator (``--image-generator``, the ``image_generator`` role); offline builds skip
        such kinds."""
        ...


def _check_source(obj: object) -> ImageSource:
    if not isinstance(obj, ImageSource):
        missing = [a for a in ("name", "description", "text_only", "needs_generator") if not hasattr(obj, a)]
        raise TypeError(f"{type(obj).__name__} lacks {', '.join(missing)} (see ksafe.images.sources.ImageSource)")
    if not isinstance(obj.name, str) or not _KIND.fullmatch(obj.name):
        raise ValueError(f"image kind {obj.name!r} must be lower case letters, digits and _")
    return obj


IMAGE_SOURCES: Registry[ImageSource] = Registry(
    GROUP_IMAGE_SOURCES, "image kind", lambda source: source.name, check=_check_source
)
"""Every installed image source: built-ins first (listing order), then plugins."""


def get_image_source(kind: str) -> ImageSource:
    """The image source registered as ``kind``.

    Raises:
        KsafeError: unknown kind (the message lists the known kinds).
    """
    return IMAGE_SOURCES.get(kind)


def image_kinds(*, text_only: bool | None = None, needs_generator: bool | None = None) -> list[str]:
    """Registered image kinds in listing order, optionally only those with the given properties."""
    return [
        source.name
        for source in IMAGE_SOURCES.values()
        if (text_only is None or source.text_only == text_only)
        and (needs_generator is None or source.needs_generator == needs_generator)
    ]
