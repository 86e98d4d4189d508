"""Judge specs and the judge registry: entry-point group ``ksafe.judges``.

Input: a ``--judge`` spec. Output: its kind and, for the task, an Inspect ``Scorer``. Side effects: the first
lookup imports the modules the installed entry points name; a ``scorer:`` spec imports the named module.

A spec is one of (checked in this order):

- ``NAME``: a registered judge (``heuristic``, or one a plugin registers in ``ksafe.judges``);
- ``scorer:REF``: a user's Inspect ``@scorer``, ``REF`` being its Inspect registry name (``mypkg/my_scorer``,
  from a package with an ``inspect_ai`` entry point) or ``module:function`` (``mypkg.judges:my_scorer``);
- ``PROVIDER/MODEL``: an LLM judge, when ``PROVIDER`` is an Inspect model provider (``openai/gpt-4o``,
  ``openai-api/local/qwen``, ``mockllm/model``). A ``/`` alone does not make a model string.

A plugin or user scorer must return a ``Score`` whose value is a ksafe verdict (``refused``,
``harmful_compliance``...); any other value is recorded as ``judge_error``, never as safe.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, get_args

from inspect_ai.scorer import Score, Scorer, Target, scorer
from inspect_ai.solver import TaskState

from ksafe.errors import KsafeError
from ksafe.evaluation.inspect_metrics import asr, judge_errors, over_refusal
from ksafe.plugins import GROUP_JUDGES, Registry
from ksafe.schema.evaluation import Verdict

SCORER_PREFIX = "scorer:"
ROLE_NAME = re.compile(r"judge(_\d+)?")
"""Task judge names of LLM judges: the Inspect model roles ``judge``, ``judge_2``..."""
_NAME = re.compile(r"[a-z][a-z0-9_-]*")

JudgeKind = Literal["registered", "scorer", "model"]


@dataclass(frozen=True)
class JudgeOptions:
    """What the task knows that a judge may use."""

    rubric_language: str = "en"
    pack: str | None = None
    """Culture pack (code or folder) given with ``--pack``; None: each item's culture."""


@dataclass(frozen=True)
class JudgePlugin:
    """A judge registered under a name in ``ksafe.judges``."""

    name: str
    """What ``--judge`` takes (lower case, digits, ``_`` and ``-``; not ``judge``/``judge_N``)."""
    description: str
    """One line for ``ksafe judges``."""
    make: Callable[[JudgeOptions], Scorer]
    """Builds the Inspect scorer for a run."""
    is_heuristic: bool = False
    """True for judges that call no model (reports mark them)."""


def _check_judge(obj: object) -> JudgePlugin:
    if not isinstance(obj, JudgePlugin):
        raise TypeError(f"expected a ksafe.evaluation.judge_registry.JudgePlugin, got {type(obj).__name__}")
    if not _NAME.fullmatch(obj.name) or ROLE_NAME.fullmatch(obj.name):
        raise ValueError(f"judge name {obj.name!r} must be lower case letters, digits, _ or -, and not judge[_N]")
    return obj


JUDGE_REGISTRY: Registry[JudgePlugin] = Registry(GROUP_JUDGES, "judge", lambda judge: judge.name, check=_check_judge)
"""Every installed named judge: ``heuristic`` first, then plugins."""


def is_model_provider(provider: str) -> bool:
    """Is ``provider`` an Inspect model API (``openai``, ``vllm``, ``mockllm``...)? Uses Inspect's public registry."""
    from inspect_ai.util import registry_create

    try:
        registry_create("modelapi", provider)
    except LookupError:
        return False
    except Exception:  # found; it only needs a model name or an optional dependency
        return True
    return True


def judge_kind(spec: str) -> JudgeKind:
    """Classify a ``--judge`` spec (see the module docstring).

    Raises:
        KsafeError: the spec is none of the three forms (the message lists the registered judges).
    """
    if spec.startswith(SCORER_PREFIX):
        if not spec.removeprefix(SCORER_PREFIX).strip():
            raise KsafeError(f"--judge {spec!r}: name the scorer (scorer:mypkg/my_scorer or scorer:module:function)")
        return "scorer"
    if spec in JUDGE_REGISTRY:
        return "registered"
    provider, _, model = spec.partition("/")
    if model and is_model_provider(provider):
        return "model"
    known = ", ".join(JUDGE_REGISTRY.names())
    raise KsafeError(
        f"--judge {spec!r}: not a registered judge ({known}), a scorer:<name> or an Inspect model string with a "
        "known provider (openai/gpt-4o)"
    )


def load_scorer(reference: str) -> Scorer:
    """The Inspect scorer ``reference`` names: ``pkg/name`` (Inspect's registry) or ``module:function``.

    Raises:
        KsafeError: nothing by that name, or it does not build a scorer.
    """
    try:
        if ":" in reference:
            module_name, _, attribute = reference.partition(":")
            found: Any = getattr(importlib.import_module(module_name), attribute)
            made = found if inspect.iscoroutinefunction(found) else found()
        else:
            from inspect_ai.util import registry_create

            made = registry_create("scorer", reference)
    except (ImportError, AttributeError, LookupError, TypeError) as exc:
        raise KsafeError(f"--judge scorer:{reference}: {type(exc).__name__}: {exc}") from None
    if not callable(made):
        raise KsafeError(f"--judge scorer:{reference}: does not build an Inspect scorer")
    return made


_VERDICTS = frozenset(get_args(Verdict))


def _as_verdict_score(score: Any, label: str) -> Score:
    if not isinstance(score, Score) or score.value not in _VERDICTS:
        value = getattr(score, "value", score)
        return Score(
            value="judge_error",
            explanation=f"judge {label} returned {str(value)[:80]!r}, not a ksafe verdict",
            metadata={"judge": label, "is_heuristic": False},
        )
    metadata = {**(score.metadata or {}), "judge": label}
    metadata.setdefault("is_heuristic", False)
    return Score(value=score.value, answer=score.answer, explanation=score.explanation, metadata=metadata)


@scorer(metrics=[asr(), over_refusal(), judge_errors()], name="plugin_judge")
def plugin_judge(spec: str, rubric_language: str = "en", pack: str | None = None) -> Scorer:
    """A registered plugin judge or a user's ``scorer:`` spec, its scores checked and labelled with ``spec``.

    Args:
        spec: The ``--judge`` spec (``NAME`` of a registered judge or ``scorer:REF``).
        rubric_language: Passed to registered judges.
        pack: Passed to registered judges.
    """
    if spec.startswith(SCORER_PREFIX):
        inner = load_scorer(spec.removeprefix(SCORER_PREFIX))
        is_heuristic = False
    else:
        plugin = JUDGE_REGISTRY.get(spec)
        inner = plugin.make(JudgeOptions(rubric_language=rubric_language, pack=pack))
        is_heuristic = plugin.is_heuristic

    async def score(state: TaskState, target: Target) -> Score:
        try:
            result = await inner(state, target)
        except Exception as exc:  # a plugin's failure must never read as safe
            result = Score(value="judge_error", explanation=f"{type(exc).__name__}: {exc}"[:300])
        checked = _as_verdict_score(result, spec)
        if is_heuristic and checked.metadata is not None:
            checked.metadata["is_heuristic"] = True
        return checked

    return score


def make_judge(spec: str, options: JudgeOptions, llm: Callable[[str], Scorer]) -> Scorer:
    """The scorer of one task judge name: a built-in judge, a plugin judge, a ``scorer:`` spec or a model role.

    Args:
        spec: ``heuristic``, a plugin judge's name, ``scorer:REF``, or a model role (``judge``, ``judge_2``).
        options: The run's judge options.
        llm: Builds the LLM judge of a model role.
    """
    if ROLE_NAME.fullmatch(spec):
        return llm(spec)
    if not spec.startswith(SCORER_PREFIX):
        entry = JUDGE_REGISTRY.entries().get(spec)
        if entry is None:
            judge_kind(spec)  # raises the one-line error naming the known judges
        elif entry.is_builtin:
            return entry.value.make(options)
    return plugin_judge(spec, rubric_language=options.rubric_language, pack=options.pack)
