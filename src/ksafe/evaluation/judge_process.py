"""Run the offline judges in one process of their own while worker processes answer.

Input: the journal files the workers append to, the samples they answer and the offline judges (the
structural judge: ``JudgeSet.offline``). Output: a journal file ``<journal_dir>/answers-judge-<nonce>.jsonl``
holding one score record per answer the workers journal, and the offline judge's quality rows on the built-in
judge set (``judge_quality.offline_quality``), sent back to the parent. Side effects: one process, started
like the workers (forked by the CLI, else spawned), at a lower CPU priority (``NICE``), dying with its parent;
it loads the structural judge's analyzers and reads the workers' journals as they grow.

Why (docs/design/eval-engine.md): kiwipiepy needs ~2.4 s of CPU to load and holds the GIL throughout, so
loading it in every worker (or in the parent before forking) held the first request back by seconds. Here it
loads once, in CPU the answering processes leave idle while they wait on the network; answers that arrive
before it is ready are judged once it is, with the same scorer, so the verdicts are the same. A run stopped
before every answer is judged leaves answers without scores, which the next run judges (``run.unjudged``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspect_ai.dataset import Sample

from ksafe.evaluation.engine import GenerateOptions, judge, sample_languages, scores_record
from ksafe.evaluation.journal import Journal, has_choices
from ksafe.evaluation.journal_tail import JournalTail
from ksafe.evaluation.judging import JudgeSet

NICE = 10
"""How much lower the judge process's CPU priority is: the answering processes' event loops come first."""
POLL_SECONDS = 0.05
"""How often the judge process looks for new answers when it has none to judge."""


@dataclass
class JudgeProcess:
    """A started judge process: ``finish`` it once the workers have exited."""

    process: Any
    done: Any
    """A ``multiprocessing`` event: set when every answer is journaled (the workers exited)."""
    results: Any
    """The read end of the pipe the process sends its quality rows on."""

    def finish(self) -> Any:
        """Let the process judge the last answers and exit; return its quality rows (None: none came).

        A process that failed sends nothing: the answers it did not judge are judged by the caller
        (``run.unjudged``), and the quality rows are measured where results are built.
        """
        self.done.set()
        rows = None
        with contextlib.suppress(EOFError, OSError):
            rows = self.results.recv()
        self.results.close()
        self.process.join()
        return rows

    def stop(self) -> None:
        """Stop the process at once (the run failed or was interrupted)."""
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.results.close()


def start_judge_process(
    context: Any,
    parent: tuple[Any, Any],
    model: str,
    samples: Sequence[Sample],
    answer_files: Sequence[Path],
    score_file: Path,
    judges: JudgeSet,
    options: GenerateOptions,
) -> JudgeProcess:
    """Start the process that judges, with ``judges``, every answer appended to ``answer_files``.

    Args:
        context: The ``multiprocessing`` context the workers start with (``fork`` or ``spawn``).
        parent: (read end, write end) of the pipe whose end of file tells a child its parent is gone; the
            write end is closed in a forked child (``ksafe.processes.die_with_parent``), None when spawned.
        model: The target's Inspect model string (the ``TaskState``'s model).
        samples: The samples the workers answer (answers of other ids are not judged).
        answer_files: The workers' journal files (they need not exist yet).
        score_file: The journal file the score records go to.
        judges: The offline judges.
        options: The run's generate options (the judges' ``GenerateConfig``).
    """
    done = context.Event()
    results, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_main,
        args=(parent, done, sender, model, list(samples), list(answer_files), score_file, judges, options),
        daemon=True,
    )
    process.start()
    sender.close()  # the child holds the only write end: end of file here means it is gone
    return JudgeProcess(process, done, results)


def _main(
    parent: tuple[Any, Any],
    done: Any,
    sender: Any,
    model: str,
    samples: list[Sample],
    answer_files: list[Path],
    score_file: Path,
    judges: JudgeSet,
    options: GenerateOptions,
) -> None:
    from ksafe.processes import die_with_parent

    reader, writer = parent
    if writer is not None:
        writer.close()  # a forked child inherits the write end: only the parent may hold it
    die_with_parent(reader)
    with contextlib.suppress(OSError):
        os.nice(NICE)
    judges.prepare(sample_languages(samples))
    with Journal(score_file) as journal:
        rows = asyncio.run(
            follow(model, samples, JournalTail(paths=answer_files), journal, judges, options, done.is_set)
        )
    sender.send(rows)
    sender.close()


async def follow(
    model: str,
    samples: Sequence[Sample],
    tail: JournalTail,
    journal: Journal,
    judges: JudgeSet,
    options: GenerateOptions,
    finished: Any,
) -> Any:
    """Judge every answer ``tail`` yields until ``finished()`` and the files are read to their end.

    While no answer waits, it measures the offline judge on the built-in judge set once (when ``judges``
    holds it); returns those quality rows (None without the offline judge).
    """
    from inspect_ai.model import ModelOutput

    from ksafe.evaluation.judge_quality import offline_quality

    by_id = {str(s.id): s for s in samples}
    judged: set[str] = set()
    quality = None
    wanted = any(j.is_heuristic for j in judges.judges)
    async with judges.open(options.config()) as scorers:
        while True:
            last = finished()  # read before the files: everything written before it was set is read below
            answers = [
                r
                for r in tail.read()
                if isinstance(r.get("output"), dict) and has_choices(r["output"]) and str(r.get("id")) in by_id
            ]
            for record in answers:
                sample_id = str(record["id"])
                if sample_id in judged:
                    continue
                output = ModelOutput.model_validate(record["output"])
                journal.append(scores_record(sample_id, await judge(model, by_id[sample_id], output, scorers)))
                judged.add(sample_id)
            if last:
                break
            if not answers:
                if wanted and quality is None:
                    quality = offline_quality()  # idle: the rows results need, measured here instead of at the end
                    continue
                await asyncio.sleep(POLL_SECONDS)
    if wanted and quality is None:
        quality = offline_quality()
    return quality
