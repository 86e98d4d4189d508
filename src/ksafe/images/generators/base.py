"""The image-generator seam: requests, results, options and the backend registry.

Input: a generator spec such as ``openai/gpt-image-1`` or ``diffusers/./models/sdxl-turbo`` and
``GeneratorOptions``. Output: an ``ImageGenerator`` that turns ``GenerationRequest``s into PNG bytes with
provenance. Side effects: none here; a backend loads weights or opens connections only in ``open``, when the
user named it (never at import).

Backends register in the entry-point group ``ksafe.image_generators`` (a ``GeneratorBackend`` each), exactly as
a third-party package would; see docs/design/image-sources.md.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import Field

from ksafe.errors import KsafeError
from ksafe.plugins import Registry
from ksafe.schema.base import FrozenRecord

GROUP_IMAGE_GENERATORS = "ksafe.image_generators"


class GeneratorOptions(FrozenRecord):
    """How a build generates pictures (``ksafe build --image-generator ...``); recorded in the manifest."""

    spec: str
    """``<backend>/<model>``: ``diffusers/<hub id or local folder>``, ``openai/<model>``."""
    steps: int | None = Field(default=None, ge=1, le=500)
    """Denoising steps (diffusers; None: the pipeline's default)."""
    guidance: float | None = Field(default=None, ge=0, le=50)
    """Classifier-free guidance scale (diffusers; None: the pipeline's default)."""
    size: int | None = Field(default=None, ge=64, le=4096)
    """Width and height asked of the model (None: 1024 for APIs, the pipeline's default for diffusers)."""
    device: str | None = None
    """Torch device (``cuda``, ``cuda:1``, ``mps``, ``cpu``; None: the best available)."""
    dtype: Literal["float32", "float16", "bfloat16"] | None = None
    """Torch dtype (None: float16 on CUDA when supported, bfloat16 on newer GPUs, float32 on CPU)."""
    batch_size: int = Field(default=4, ge=1, le=256)
    """Prompts per diffusers call."""
    concurrency: int = Field(default=8, ge=1, le=1024)
    """Requests in flight at once (images API)."""
    retries: int = Field(default=4, ge=0, le=20)
    """Retries of one request after a 429, 5xx, timeout or a reply that is not an image."""
    timeout_s: float = Field(default=120.0, gt=0, le=3600)
    """Time limit of one API request, in seconds."""
    nsfw_threshold: float = Field(default=0.8, ge=0, le=1)
    """Open-NSFW score above which a picture is rejected (Yahoo's guidance: above 0.8 is unsafe)."""
    regenerations: int = Field(default=2, ge=0, le=20)
    """New seeds tried for a rejected picture before its items are dropped."""
    ray_address: str | None = None
    """Run diffusers on a Ray cluster (``auto``, ``ray://host:10001``, ``local``); one replica per GPU."""


@dataclass(frozen=True)
class GenerationRequest:
    """One picture to generate."""

    key: str
    """Caller's id of the request (returned with the result)."""
    prompt: str
    """Text-to-image prompt."""
    seed: int
    """Seed of this attempt (backends that accept no seed record it anyway)."""


@dataclass(frozen=True)
class GenerationResult:
    """A generated picture or why there is none."""

    request: GenerationRequest
    png: bytes | None = None
    """PNG bytes (no metadata), or None on failure."""
    error: str | None = None
    """One line, secrets removed; set when ``png`` is None."""
    refused: bool = False
    """The backend refused the prompt (content policy): retrying the same prompt will not help."""
    provenance: dict[str, Any] = field(default_factory=dict)
    """Per-image facts the backend knows (e.g. the revised prompt an API reports)."""


@dataclass(frozen=True)
class GeneratorInfo:
    """What a generator is, for provenance and the manifest."""

    backend: str
    """Backend name (``openai``, ``diffusers``)."""
    model: str
    """Model id or path as the user wrote it."""
    revision: str | None
    """Hub commit, or ``sha256:<hex>`` of a local folder's files, or None when unknowable (APIs)."""
    deterministic: bool
    """Same model, seed and hardware give the same picture."""
    batched: bool
    """Several prompts share one model call."""
    concurrent: bool
    """Several requests are in flight at once."""
    settings: dict[str, Any] = field(default_factory=dict)
    """Resolved settings that decide the pictures (steps, guidance, size, dtype...)."""
    runtime: dict[str, Any] = field(default_factory=dict)
    """Where it ran (device, endpoint without credentials, Ray address): recorded, not part of the key."""

    def fingerprint(self) -> dict[str, Any]:
        """What decides the pictures; a resumed build reuses an image only when this is unchanged."""
        return {"backend": self.backend, "model": self.model, "revision": self.revision, **self.settings}


@runtime_checkable
class ImageGenerator(Protocol):
    """An opened image generator."""

    info: GeneratorInfo

    def generate(self, requests: Sequence[GenerationRequest]) -> Iterator[GenerationResult]:
        """Yield one result per request, in any order, as they finish (bounded memory)."""
        ...

    def close(self) -> None:
        """Release models, threads and connections."""
        ...


@dataclass(frozen=True)
class GeneratorBackend:
    """A registered backend: ``open(model, options)`` loads or connects only when called."""

    name: str
    """Prefix of the spec, e.g. ``openai``."""
    description: str
    """One line for ``--help``."""
    open: Any
    """``(model: str, options: GeneratorOptions) -> ImageGenerator``."""
    extra: str | None = None
    """pip extra that installs its dependencies (``images``), named in errors."""
    check: Any = None
    """Optional ``(model, options) -> None`` run before any work: raises ``KsafeError`` on what it can see
    without loading (a missing key, folder or package), so a build fails before it renders anything."""


def _check_backend(obj: object) -> GeneratorBackend:
    if not isinstance(obj, GeneratorBackend):
        raise TypeError(f"expected a GeneratorBackend, got {type(obj).__name__}")
    return obj


GENERATOR_BACKENDS: Registry[GeneratorBackend] = Registry(
    GROUP_IMAGE_GENERATORS, "image generator backend", lambda b: b.name, check=_check_backend
)
"""Backends by name, from the ``ksafe.image_generators`` entry points."""


def parse_spec(spec: str) -> tuple[str, str]:
    """Split ``backend/model`` (the model may hold slashes: ``diffusers/stabilityai/sdxl-turbo``).

    Raises:
        KsafeError: no backend prefix or no model.
    """
    backend, _, model = spec.partition("/")
    if not backend or not model.strip():
        known = ", ".join(GENERATOR_BACKENDS.names()) or "none"
        raise KsafeError(f"--image-generator {spec!r}: write <backend>/<model> (backends: {known})")
    return backend, model


def check_generator(options: GeneratorOptions) -> None:
    """Fail early on what a backend can check without loading anything.

    Raises:
        KsafeError: unknown backend, or the backend's own check failed.
    """
    backend_name, model = parse_spec(options.spec)
    backend = GENERATOR_BACKENDS.get(backend_name)
    if backend.check is not None:
        backend.check(model, options)


def open_generator(options: GeneratorOptions) -> ImageGenerator:
    """Open the generator ``options.spec`` names (this is where weights load or clients start).

    Raises:
        KsafeError: unknown backend, missing optional dependency, unreadable model.
    """
    backend_name, model = parse_spec(options.spec)
    backend = GENERATOR_BACKENDS.get(backend_name)
    try:
        generator: ImageGenerator = backend.open(model, options)
    except ImportError as exc:
        extra = f' (pip install "ksafe[{backend.extra}]")' if backend.extra else ""
        raise KsafeError(f"--image-generator {options.spec}: missing dependency {exc.name or exc}{extra}") from None
    return generator
