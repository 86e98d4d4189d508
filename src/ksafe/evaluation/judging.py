"""The judges of a run: one ``JudgeSpec`` per ``--judge``, built into Inspect scorers where they run.

Input: the ``--judge`` values (``heuristic`` or Inspect model strings), the rubric language and the
culture pack. Output: ``JudgeSpec`` records (what the user named, the score name in logs and journals,
the label shown in results) and, inside the process and event loop that judges, ``(name, Scorer)``
pairs whose LLM judges hold their own Inspect ``Model`` (no process-wide model roles). Side effects:
``JudgeSet.open`` resolves the judge models through Inspect (no request is made) and closes them on exit.

A ``JudgeSet`` is a plain, picklable record, so worker processes started by spawn or forkserver build
their own scorers from it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

HEURISTIC = "heuristic"


@dataclass(frozen=True)
class JudgeSpec:
    """One judge of a run."""

    spec: str
    """What ``--judge`` named: a registered judge (``heuristic``, a plugin's), ``scorer:REF`` or an Inspect
    model string (``openai/gpt-4o``)."""
    name: str
    """Score name in the journal and the Inspect log (``heuristic``, ``judge``, ``judge_2``...); for LLM
    judges also the Inspect model role ``inspect eval ksafe/ksafe_mm -T judges=...`` binds."""
    is_model: bool = False
    """Whether the judge is an LLM judge on a model ``spec`` names."""

    @property
    def is_heuristic(self) -> bool:
        """Whether this is the offline heuristic judge (no model)."""
        return self.spec == HEURISTIC

    @property
    def model(self) -> str | None:
        """The judge's Inspect model string (None for judges without a model)."""
        return self.spec if self.is_model else None

    @property
    def label(self) -> str:
        """The judge as results name it: ``heuristic`` or its model string."""
        return self.spec


def judge_specs(judges: Sequence[str]) -> tuple[JudgeSpec, ...]:
    """Turn ``--judge`` values into specs; LLM judges are named ``judge``, ``judge_2``... in order.

    Raises:
        KsafeError: A value is none of a registered judge, ``scorer:REF`` or an Inspect model string with a
            known provider (``ksafe.evaluation.judge_registry.judge_kind``).
    """
    from ksafe.evaluation.judge_registry import judge_kind

    specs: list[JudgeSpec] = []
    llm = 0
    for judge in judges:
        if judge_kind(judge) != "model":  # a registered judge or scorer:REF keeps its spec as its name
            specs.append(JudgeSpec(judge, judge))
            continue
        llm += 1
        specs.append(JudgeSpec(judge, "judge" if llm == 1 else f"judge_{llm}", is_model=True))
    return tuple(specs)


@dataclass(frozen=True)
class JudgeSet:
    """The judges of a run and their options: everything needed to build them in any process."""

    judges: tuple[JudgeSpec, ...] = ()
    rubric_language: str = "en"
    pack: str | None = None
    """Culture pack (code or folder) of the heuristic judge; None: each item's culture."""

    @property
    def roles(self) -> dict[str, str]:
        """``{name: model}`` of the LLM judges (the model roles recorded in the Inspect log)."""
        return {j.name: j.spec for j in self.judges if j.is_model}

    @property
    def offline(self) -> JudgeSet:
        """The judges that run on this machine's CPU alone (the offline structural judge): no model call."""
        return JudgeSet(tuple(j for j in self.judges if j.is_heuristic), self.rubric_language, self.pack)

    def without(self, other: JudgeSet) -> JudgeSet:
        """The same set less the judges of ``other``."""
        return self.only({j.name for j in self.judges} - {j.name for j in other.judges})

    def prepare(self, languages: Collection[str]) -> None:
        """Load now what the judges need for answers in ``languages`` (the structural judge's analyzers).

        Seconds of CPU that hold the GIL: call it where no event loop waits on answers. Without it they load
        on the first answer that needs them.
        """
        if any(j.is_heuristic for j in self.judges):
            from ksafe.evaluation.structural.decision import learned_layer_enabled
            from ksafe.evaluation.structural.decline_reader import shipped_reader
            from ksafe.evaluation.structural.morphology import warm_up

            warm_up(languages)
            shipped_reader()  # the decline reader's weights (~10 ms), not on the first unsure answer
            if learned_layer_enabled():
                from ksafe.evaluation.structural.learned import warm_up as warm_up_layer

                warm_up_layer()

    def only(self, names: set[str]) -> JudgeSet:
        """The same set restricted to the judges named in ``names``."""
        return JudgeSet(tuple(j for j in self.judges if j.name in names), self.rubric_language, self.pack)

    @asynccontextmanager
    async def open(self, config: Any = None) -> AsyncIterator[Any]:
        """Yield ``(name, Scorer)`` pairs, the LLM judges each holding an open Inspect ``Model``.

        Call inside the event loop that judges. ``config`` is the judges' ``GenerateConfig`` (the run's
        retries and timeouts: Inspect's retries are the only retry layer, the SDK's own are off).
        """
        from inspect_ai.model import GenerateConfig, get_model

        from ksafe.evaluation.engine import sdk_retry_args
        from ksafe.evaluation.judges import build_judges

        async with AsyncExitStack() as stack:
            models = {}
            for judge in self.judges:
                if judge.model is not None:
                    args = sdk_retry_args(judge.model)
                    model = get_model(judge.model, config=config or GenerateConfig(), memoize=False, **args)
                    models[judge.name] = await stack.enter_async_context(model)
            names = [j.name for j in self.judges]
            scorers = build_judges(names, self.rubric_language, pack=self.pack, models=models)
            yield list(zip(names, scorers, strict=True))
