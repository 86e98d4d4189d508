"""Dry runs: a fixed answer with its token usage set, so no tokenizer is fetched.

Input: a model string and the user's model args. Output: model args for ``get_model``, and the Inspect
model provider ``ksafe/dry-run``. Side effects: none.
Inspect's mock model counts tokens with tiktoken's ``o200k_base``, downloaded on first use, when an answer
carries no usage, which fails offline. ``ksafe eval --model mockllm/model`` supplies its answers (with usage);
``inspect eval ksafe/ksafe_mm ... --model ksafe/dry-run`` uses ``DryRunModel``, registered with Inspect by
``ksafe.evaluation._registry`` (Inspect's public ``@modelapi``), which answers the same way.
"""

from __future__ import annotations

from typing import Any

DRY_RUN_ANSWER = "ksafe dry run: a fixed answer from mockllm/model; no model was called."


def dry_run_output(input: Any, tools: Any, tool_choice: Any, config: Any) -> Any:
    """Inspect ``mockllm`` custom-output callable: the fixed answer, with usage set."""
    from inspect_ai.model import ModelOutput, ModelUsage

    output = ModelOutput.from_content(model="mockllm", content=DRY_RUN_ANSWER)
    output.usage = ModelUsage(input_tokens=0, output_tokens=0, total_tokens=0)
    return output


def is_dry_run(model: str) -> bool:
    """Whether ``model`` is Inspect's mock model."""
    return model.startswith("mockllm/")


def model_args_for(model: str, given: dict[str, Any]) -> dict[str, Any]:
    """The user's model args, or the dry-run answers for a bare ``mockllm`` model."""
    if given or not is_dry_run(model):
        return given
    return {"custom_outputs": dry_run_output}


DRY_RUN_MODEL = "ksafe/dry-run"
"""The Inspect model string of ``DryRunModel``."""


def dry_run_model_api() -> type:
    """The ``ModelAPI`` class of ``ksafe/dry-run`` (built on first use: Inspect is imported here)."""
    from inspect_ai.model import GenerateConfig, ModelAPI

    class DryRunModel(ModelAPI):
        """``ksafe/dry-run``: every answer is ``DRY_RUN_ANSWER`` with its token usage set; no network."""

        def __init__(
            self,
            model_name: str,
            base_url: str | None = None,
            api_key: str | None = None,
            config: GenerateConfig = GenerateConfig(),  # noqa: B008 (Inspect's ModelAPI signature)
            **model_args: Any,
        ) -> None:
            if model_name != "dry-run":
                raise ValueError(f"ksafe/{model_name}: unknown ksafe model (the only one is {DRY_RUN_MODEL})")
            super().__init__(model_name, base_url, api_key, [], config)

        async def generate(self, input: Any, tools: Any, tool_choice: Any, config: Any) -> Any:
            return dry_run_output(input, tools, tool_choice, config)

    return DryRunModel
