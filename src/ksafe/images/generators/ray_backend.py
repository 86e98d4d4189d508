"""``--ray ADDRESS``: the diffusers backend as Ray Data batch inference, one pipeline replica per GPU.

Input: ``GenerationRequest``s. Output: ``GenerationResult``s streamed back as Ray finishes batches. Side
effects: connects to the Ray cluster at ``ADDRESS`` (``local`` starts Ray in this process); each replica loads
the weights once in its actor. Requires the optional extra ``ray`` (``pip install "ksafe[ray,images]"``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ksafe.errors import KsafeError
from ksafe.images.generators.base import GenerationRequest, GenerationResult, GeneratorInfo, GeneratorOptions


class _Replica:
    """A Ray Data actor holding one loaded pipeline (``map_batches`` calls it with a batch of rows)."""

    def __init__(self, model: str, options_json: str) -> None:
        from ksafe.images.generators.diffusers_backend import DiffusersGenerator

        options = GeneratorOptions.model_validate_json(options_json).model_copy(update={"ray_address": None})
        self.generator = DiffusersGenerator(model, options)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        requests = [
            GenerationRequest(str(k), str(p), int(s))
            for k, p, s in zip(batch["key"], batch["prompt"], batch["seed"], strict=True)
        ]
        results = {r.request.key: r for r in self.generator.generate(requests)}
        return {
            "key": [r.key for r in requests],
            "png": [results[r.key].png or b"" for r in requests],
            "error": [results[r.key].error or "" for r in requests],
        }


class RayDiffusersGenerator:
    """Diffusers on a Ray cluster through Ray Data ``map_batches`` with an actor pool."""

    def __init__(self, model: str, options: GeneratorOptions) -> None:
        try:
            import ray
        except ImportError:
            raise KsafeError('--ray needs the optional extra ray (pip install "ksafe[ray,images]")') from None
        from ksafe.images.generators.diffusers_backend import folder_sha256, is_local_model

        self.ray = ray
        self.model = model
        self.options = options
        address = options.ray_address
        if not ray.is_initialized():
            ray.init(address=None if address == "local" else address, ignore_reinit_error=True, log_to_driver=False)
        gpus = int(ray.cluster_resources().get("GPU", 0))
        self.replicas = max(1, gpus)
        self.gpus_per_replica = 1 if gpus else 0
        revision = folder_sha256(Path(model).expanduser()) if is_local_model(model) else None
        self.info = GeneratorInfo(
            backend="diffusers",
            model=model,
            revision=revision,
            deterministic=True,
            batched=True,
            concurrent=True,
            settings={
                "steps": options.steps,
                "guidance": options.guidance,
                "size": options.size,
                "dtype": options.dtype,
            },
            runtime={"ray_address": address, "replicas": self.replicas, "gpus_per_replica": self.gpus_per_replica},
        )

    def generate(self, requests: Sequence[GenerationRequest]) -> Iterator[GenerationResult]:
        """Stream results back batch by batch (Ray Data executes lazily and streams)."""
        if not requests:
            return
        by_key = {r.key: r for r in requests}
        dataset = self.ray.data.from_items([{"key": r.key, "prompt": r.prompt, "seed": r.seed} for r in requests])
        mapped = dataset.map_batches(
            _Replica,
            fn_constructor_args=(self.model, self.options.model_dump_json()),
            batch_size=self.options.batch_size,
            concurrency=self.replicas,
            num_gpus=self.gpus_per_replica,
            batch_format="numpy",
        )
        for batch in mapped.iter_batches(batch_size=self.options.batch_size, batch_format="numpy"):
            for key, png, error in zip(batch["key"], batch["png"], batch["error"], strict=True):
                request = by_key[str(key)]
                if png:
                    yield GenerationResult(request, png=bytes(png))
                else:
                    yield GenerationResult(request, error=str(error) or "no image")

    def close(self) -> None:
        """Leave a remote cluster running (it is the user's); stop a local one."""
        if self.options.ray_address == "local":
            self.ray.shutdown()
