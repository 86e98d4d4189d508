"""Images of a request inlined as data URIs (the run's files keep their paths; only the request carries bytes).

Input: an image reference (a local file path, a data URI or a URL). Output: a data URI. Side effects: reads
the file (URLs go through Inspect's resolver).
"""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path


async def inline_image(image: str) -> str:
    """Return a local image file as a data URI (other references go through Inspect's resolver)."""
    if image.startswith("data:") or "://" in image:
        from inspect_ai.util import materialize_media

        return await materialize_media(image)
    data = Path(image).read_bytes()  # small local files: a thread hop would cost more than the read
    mime = mimetypes.guess_type(image)[0] or "image/png"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
