"""``diffusers/<hub id or local folder>``: any text-to-image pipeline through diffusers' AutoPipeline.

Input: ``GenerationRequest``s. Output: ``GenerationResult``s, in batches of ``batch_size`` prompts, each
image from its own ``torch.Generator`` seeded with the request's seed. Side effects: loads the weights when
the generator is opened (never at import: torch and diffusers are imported inside ``open_diffusers``); a hub
id is read from the local Hugging Face cache or downloaded by diffusers, as the user named it; a local folder
is hashed (its files' SHA-256) for provenance.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ksafe.errors import KsafeError
from ksafe.images.generators.base import (
    GenerationRequest,
    GenerationResult,
    GeneratorBackend,
    GeneratorInfo,
    GeneratorOptions,
)

_SNAPSHOT = re.compile(r"/snapshots/([0-9a-f]{40})(?:/|$)")


def is_local_model(model: str) -> bool:
    """A folder path (``./models/x``, ``/abs/x``, ``~/x``) rather than a hub id."""
    return model.startswith((".", "/", "~")) or Path(model).expanduser().is_dir()


def folder_sha256(folder: Path) -> str:
    """``sha256:<hex>`` over every file's relative path and bytes (sorted; hidden files skipped)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in relative.split("/")):
            continue
        digest.update(relative.encode() + b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return f"sha256:{digest.hexdigest()}"


def pick_device(torch: Any, requested: str | None) -> str:
    """The requested device, else CUDA, else Apple MPS, else CPU."""
    if requested:
        return requested
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def pick_dtype(torch: Any, device: str, requested: str | None) -> Any:
    """The requested dtype, else bfloat16 on GPUs that support it, float16 on other GPUs, float32 on CPU."""
    if requested:
        return getattr(torch, requested)
    if device.startswith("cuda"):
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device.startswith("mps"):
        return torch.float16
    return torch.float32


def _revision(pipeline: Any, model: str, local: Path | None) -> str | None:
    """A local folder's file hash, or the commit of the hub snapshot the pipeline was loaded from."""
    if local is not None:
        return folder_sha256(local)
    from huggingface_hub import try_to_load_from_cache

    for candidate in (try_to_load_from_cache(model, "model_index.json"), getattr(pipeline.config, "_name_or_path", "")):
        found = _SNAPSHOT.search(str(candidate or ""))
        if found:
            return found.group(1)
    return None


class DiffusersGenerator:
    """A loaded pipeline; ``generate`` runs it batch by batch."""

    def __init__(self, model: str, options: GeneratorOptions) -> None:
        import torch
        from diffusers import AutoPipelineForText2Image
        from diffusers.utils import logging as diffusers_logging
        from transformers.utils import logging as transformers_logging

        for logging in (diffusers_logging, transformers_logging):  # progress bars would break the build's own
            logging.disable_progress_bar()
            logging.set_verbosity_error()

        self.torch = torch
        self.options = options
        self.device = pick_device(torch, options.device)
        self.dtype = pick_dtype(torch, self.device, options.dtype)
        local = Path(model).expanduser() if is_local_model(model) else None
        if local is not None and not (local / "model_index.json").is_file():
            raise KsafeError(f"--image-generator diffusers/{model}: no model_index.json in {local}")
        try:
            pipeline = AutoPipelineForText2Image.from_pretrained(str(local or model), torch_dtype=self.dtype)
        except (OSError, ValueError) as exc:
            raise KsafeError(f"--image-generator diffusers/{model}: cannot load the pipeline: {exc}") from None
        pipeline.set_progress_bar_config(disable=True)
        self.pipeline = pipeline.to(self.device)
        self.info = GeneratorInfo(
            backend="diffusers",
            model=model,
            revision=_revision(pipeline, model, local),
            deterministic=True,
            batched=True,
            concurrent=False,
            settings={
                "pipeline": type(pipeline).__name__,
                "scheduler": type(pipeline.scheduler).__name__,
                "steps": options.steps,
                "guidance": options.guidance,
                "size": options.size,
                "dtype": str(self.dtype).removeprefix("torch."),
            },
            runtime={"device": self.device, "torch": torch.__version__, "batch_size": options.batch_size},
        )

    def _call(self, batch: Sequence[GenerationRequest]) -> list[Any]:
        kwargs: dict[str, Any] = {"prompt": [r.prompt for r in batch], "output_type": "pil"}
        # One generator per image: an image depends on its own seed, not on its batch neighbours.
        generator_device = "cpu" if self.device.startswith("mps") else self.device
        kwargs["generator"] = [self.torch.Generator(generator_device).manual_seed(r.seed) for r in batch]
        if self.options.steps is not None:
            kwargs["num_inference_steps"] = self.options.steps
        if self.options.guidance is not None:
            kwargs["guidance_scale"] = self.options.guidance
        if self.options.size is not None:
            kwargs["height"] = kwargs["width"] = self.options.size
        with self.torch.inference_mode():
            return list(self.pipeline(**kwargs).images)

    def generate(self, requests: Sequence[GenerationRequest]) -> Iterator[GenerationResult]:
        """Yield results batch by batch; a failing batch yields its requests as failures."""
        size = self.options.batch_size
        for start in range(0, len(requests), size):
            batch = requests[start : start + size]
            try:
                images = self._call(batch)
            except (RuntimeError, ValueError) as exc:  # e.g. CUDA out of memory: the rerun retries these
                message = " ".join(str(exc).split())[:300]
                for request in batch:
                    yield GenerationResult(request, error=f"{type(exc).__name__}: {message}")
                continue
            for request, image in zip(batch, images, strict=True):
                yield GenerationResult(request, png=encode_picture(image))

    def close(self) -> None:
        """Free the pipeline (and GPU memory)."""
        self.pipeline = None
        if self.device.startswith("cuda"):
            self.torch.cuda.empty_cache()


def encode_picture(image: Any) -> bytes:
    """PIL image -> PNG bytes without metadata."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


def check_diffusers(model: str, options: GeneratorOptions) -> None:
    """torch and diffusers are installed; a local folder holds a pipeline (nothing is imported or loaded)."""
    from importlib.util import find_spec

    for package in ("torch", "diffusers", "transformers"):
        if find_spec(package) is None:
            raise KsafeError(f'--image-generator diffusers/{model}: needs {package} (pip install "ksafe[images]")')
    if options.ray_address and find_spec("ray") is None:
        raise KsafeError('--ray needs the optional extra ray (pip install "ksafe[ray,images]")')
    if is_local_model(model) and not (Path(model).expanduser() / "model_index.json").is_file():
        raise KsafeError(f"--image-generator diffusers/{model}: no model_index.json in {Path(model).expanduser()}")


def open_diffusers(model: str, options: GeneratorOptions) -> Any:
    """Backend entry: load the pipeline (locally, or as Ray Data replicas when ``--ray`` is given)."""
    if options.ray_address:
        from ksafe.images.generators.ray_backend import RayDiffusersGenerator

        return RayDiffusersGenerator(model, options)
    return DiffusersGenerator(model, options)


DIFFUSERS_BACKEND = GeneratorBackend(
    name="diffusers",
    description="Any diffusers text-to-image pipeline (hub id or local folder); seeded, batched.",
    open=open_diffusers,
    extra="images",
    check=check_diffusers,
)
