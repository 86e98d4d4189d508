"""Dry runs with Inspect's ``mockllm``: a fixed answer with its token usage set, so no tokenizer is fetched.

Input: a model string and the user's model args. Output: model args for ``get_model``. Side effects: none.
Inspect's mock model counts tokens with a tokenizer it downloads when an answer carries no usage, which fails
offline; ``ksafe eval --model mockllm/model`` should work with no network, so ksafe supplies the answers.
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
