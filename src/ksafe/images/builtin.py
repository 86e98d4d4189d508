"""ksafe's own renderers, registered through the ``ksafe.image_sources`` entry point.

Input: none. Output: the built-in ``RendererInfo`` records in listing order. Side effects: importing the
renderer modules (Pillow only; no font is read).
"""

from __future__ import annotations

from ksafe.images.canvas import RendererInfo
from ksafe.images.renderers.numbered_list import NUMBERED_LIST
from ksafe.images.renderers.scene_chat import SCENE_CHAT
from ksafe.images.renderers.scene_document import SCENE_DOCUMENT
from ksafe.images.renderers.scene_news import SCENE_NEWS
from ksafe.images.renderers.scene_sign import SCENE_SIGN
from ksafe.images.renderers.typography import TYPOGRAPHY

RENDERERS: tuple[RendererInfo, ...] = (TYPOGRAPHY, NUMBERED_LIST, SCENE_CHAT, SCENE_NEWS, SCENE_DOCUMENT, SCENE_SIGN)
"""The built-in renderers: the two text-only layouts (MM-SafetyBench, FigStep), then the localized scenes."""
