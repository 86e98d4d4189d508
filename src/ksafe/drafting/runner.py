"""``ksafe culture draft LANG-REGION``: every pack file written by a generator, validated as it is written.

Input: ``DraftOptions`` (locale, generator model string, optional mined topics, output folder, budget).
Output: a pack folder (the nine pack files plus ``mining.yaml``, and ``fonts/`` when the font is a merge) and a
``DraftResult`` listing what is left for a person. Side effects: model calls journaled in
``OUT/.ksafe-draft/calls.jsonl`` (a rerun after kill -9 asks no answered prompt again); pack files written
atomically; refuses a non-empty folder it did not start (unless ``force``).

Each reply is parsed with its pydantic model and checked (ids, ``{slots}``, script, coverage); a refusal is
re-asked once with the benchmark-construction framing, an invalid reply with its error (``MAX_REPAIRS``
times). Then ``ksafe culture check`` runs on the folder; an error naming a drafted file is sent back to the
call that wrote it (``CHECK_ROUNDS`` times). A file no call could write is the scaffold's, with ``TODO(fill)``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ksafe.drafting.jobs import (
    Context,
    Job,
    assemble,
    content_jobs,
    intro_job,
    pack_model_problem,
    templates_job,
)
from ksafe.errors import KsafeError, PackError
from ksafe.generation.calls import BudgetSpent, CallFailed, CallStats, ModelCalls
from ksafe.generation.prompts import Message, reframed, repaired
from ksafe.generation.refusal import refusal_of
from ksafe.generation.replies import ReplyError, parse_reply

DRAFT_DIR = ".ksafe-draft"
JOURNAL = Path(DRAFT_DIR) / "calls.jsonl"
MAX_REPAIRS = 2
CHECK_ROUNDS = 3
HEADER = "# Drafted by `ksafe culture draft` ({model}). Review it, then run `ksafe culture check <folder>`.\n"


@dataclass(frozen=True)
class DraftOptions:
    locale: str
    out: Path
    generator: str
    topics_file: Path | None = None
    force: bool = False
    max_calls: int | None = None
    connections: int = 4
    timeout_s: int = 180


@dataclass
class Outcome:
    """A job's last exchange: the valid reply, or why there is none."""

    job: Job
    messages: list[Message]
    text: str = ""
    reply: Any = None
    failure: str = ""
    refusals: int = 0
    repairs: int = 0


@dataclass
class DraftResult:
    out: Path
    files: list[str]
    left: list[str]
    """What a person still has to do (empty: ``culture check`` passes)."""
    calls: CallStats
    refusals: int = 0
    repairs: int = 0
    check_fixes: int = 0
    notes: list[str] = field(default_factory=list)


async def _ask(calls: ModelCalls, model: str, outcome: Outcome, ctx: Context) -> Outcome:
    """Ask until a valid reply, a second refusal, or ``MAX_REPAIRS`` invalid replies."""
    job, reframed_once, repairs = outcome.job, False, 0
    while True:
        answer = await calls.ask(model, outcome.messages, job.schema, kind=f"draft-{job.kind}")
        outcome.text = answer.text
        if await refusal_of(answer.text, answer.stop_reason):
            outcome.refusals += 1
            if reframed_once:
                outcome.failure = f"the generator refused {job.kind}"
                return outcome
            reframed_once = True
            outcome.messages = reframed(outcome.messages, answer.text)
            continue
        try:
            reply = parse_reply(answer.text, job.schema)
            problem = job.check(reply)
            if not problem and job.file != "pack.yaml":  # the file as it will be written, by the pack's model
                problem = pack_model_problem(job.file, assemble(job.file, [reply], ctx))
            if problem:
                raise ReplyError(problem)
        except ReplyError as exc:
            if repairs >= MAX_REPAIRS:
                outcome.failure = f"{job.kind}: still invalid after {MAX_REPAIRS} repairs ({exc})"
                return outcome
            repairs += 1
            outcome.repairs += 1
            outcome.messages = repaired(outcome.messages, answer.text, str(exc))
            continue
        outcome.reply, outcome.failure = reply, ""
        return outcome


def _context(options: DraftOptions) -> Context:
    from ksafe.cultures.loader import builtin_packs_dir, load_shared_data, parse_file
    from ksafe.cultures.pack_model import TaxonomyFile
    from ksafe.cultures.scaffold import LOCALE
    from ksafe.cultures.scripts import LANGUAGE_SCRIPTS

    match = LOCALE.match(options.locale)
    if not match or not match[2]:
        raise KsafeError(f"locale {options.locale!r}: expected a language and region like 'th-TH'")
    language = match[1]
    return Context(
        locale=options.locale,
        language=language,
        script=LANGUAGE_SCRIPTS.get(language, ""),
        language_name=language,
        taxonomy=parse_file(builtin_packs_dir() / "ko" / "taxonomy.yaml", TaxonomyFile),
        shared=load_shared_data(),
        mined=_mined(options.topics_file) if options.topics_file else [],
    )


def _mined(path: Path, limit: int = 60) -> list[dict[str, Any]]:
    """Mined topics (``ksafe topics mine`` output) as name, categories, keywords and description."""
    from ksafe.jsonl import jsonl_lines
    from ksafe.schema.records import Topic

    topics: list[dict[str, Any]] = []
    for number, line in jsonl_lines(path.read_text(encoding="utf-8")):
        try:
            topic = Topic.model_validate_json(line)
        except ValueError as exc:
            raise KsafeError(f"{path}: line {number}: not a mined topic ({str(exc).splitlines()[0]})") from None
        topics.append({"name": topic.name, "categories": list(topic.categories), "keywords": list(topic.keywords)[:6]})
    return topics[:limit]


def all_jobs(ctx: Context) -> list[Job]:
    """The first prompts known before any reply (the templates prompt follows the topics)."""
    return [intro_job(ctx), *content_jobs(ctx)]


def _dump(content: dict[str, Any], model: str) -> str:
    return HEADER.format(model=model) + yaml.safe_dump(content, allow_unicode=True, sort_keys=False, width=110)


def _prepare_folder(options: DraftOptions) -> None:
    out = options.out
    if out.exists() and not out.is_dir():
        raise KsafeError(f"{out}: exists and is not a folder")
    started = (out / DRAFT_DIR).is_dir()
    if out.exists() and any(out.iterdir()) and not started and not options.force:
        raise KsafeError(f"{out}: folder exists and is not empty (choose a new folder, or --force to draft into it)")
    (out / DRAFT_DIR).mkdir(parents=True, exist_ok=True)


def draft_pack(options: DraftOptions) -> DraftResult:
    """Draft a pack into ``options.out`` (see the module docstring).

    Raises:
        KsafeError: a bad locale or model string, a folder that is not the command's, a spent ``--max-calls``
            budget or calls that failed after retries (answers so far are journaled: rerun to continue).
    """
    from ksafe.generation.calls import check_model_strings

    ctx = _context(options)
    check_model_strings(options.generator)
    _prepare_folder(options)
    calls = ModelCalls(
        options.out / JOURNAL, connections=options.connections, timeout_s=options.timeout_s, max_calls=options.max_calls
    )
    try:
        return asyncio.run(_draft(calls, options, ctx))
    except BudgetSpent:
        raise KsafeError(
            f"--max-calls: the budget of {options.max_calls} new calls is spent ({calls.stats.new} answers journaled "
            f"in {options.out / JOURNAL}); rerun with a larger --max-calls to continue"
        ) from None
    except CallFailed:
        raise KsafeError(
            f"generator: a call failed after retries ({calls.stats.first_error}); answers so far are journaled, "
            "rerun the same command to continue"
        ) from None
    finally:
        calls.close()


async def _gather(calls: ModelCalls, model: str, outcomes: list[Outcome], ctx: Context) -> list[Outcome]:
    results = await asyncio.gather(*(_ask(calls, model, o, ctx) for o in outcomes), return_exceptions=True)
    for result in results:  # a spent budget lets the calls in flight finish (and be journaled) first
        if isinstance(result, BaseException):
            raise result
    return [r for r in results if isinstance(r, Outcome)]


async def _draft(calls: ModelCalls, options: DraftOptions, ctx: Context) -> DraftResult:
    model = options.generator
    try:
        calls.check_models(model)
        first_job = intro_job(ctx)
        intro = Outcome(first_job, first_job.messages)
        if not ctx.script:  # a language the table does not know: its script comes from the generator
            (intro,) = await _gather(calls, model, [intro], ctx)
            if intro.reply is None:
                raise KsafeError(f"{options.locale}: the generator gave no script ({intro.failure})")
            ctx.script = intro.reply.script
            first = [Outcome(j, j.messages) for j in content_jobs(ctx)]
            outcomes = [intro, *await _gather(calls, model, first, ctx)]
        else:
            outcomes = await _gather(calls, model, [Outcome(j, j.messages) for j in all_jobs(ctx)], ctx)
        topics = next(o for o in outcomes if o.job.kind == "topics")
        if topics.reply is not None:
            for topic in topics.reply.topics:
                for category in topic.categories:
                    ctx.topic_kinds.setdefault(category, set()).add(topic.kind)
            job = templates_job(ctx)
            outcomes += await _gather(calls, model, [Outcome(job, job.messages)], ctx)
        result = DraftResult(options.out, [], [], calls.stats)
        _write_files(options, ctx, outcomes, result)
        await _check_loop(calls, options, ctx, outcomes, result)
        result.refusals = sum(o.refusals for o in outcomes)
        result.repairs = sum(o.repairs for o in outcomes)
        return result
    finally:
        await calls.close_models()


def _write_files(options: DraftOptions, ctx: Context, outcomes: list[Outcome], result: DraftResult) -> None:
    from ksafe.cultures.scaffold import scaffold_files
    from ksafe.fileio import write_text_atomic

    scaffold = scaffold_files(ctx.locale)
    by_file: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_file.setdefault(outcome.job.file, []).append(outcome)
    if "templates.yaml" not in by_file:
        result.notes.append("templates.yaml: not drafted (the topics are needed first)")
    contents: dict[str, dict[str, Any]] = {}
    for name in scaffold:  # the nine pack files and mining.yaml (slots and borderline stay optional)
        if name == "pack.yaml":
            continue
        done = by_file.get(name, [])
        if done and all(o.reply is not None for o in done):
            contents[name] = assemble(name, [o.reply for o in done], ctx)
        else:
            contents[name] = scaffold[name]
            result.notes += [o.failure for o in done if o.failure]
    contents["pack.yaml"] = _pack_yaml(options, ctx, by_file["pack.yaml"][0], contents, scaffold["pack.yaml"])
    for name, content in contents.items():
        write_text_atomic(options.out / name, _dump(content, options.generator))
        result.files.append(name)


def _text_chars(contents: dict[str, dict[str, Any]]) -> set[str]:
    chars: set[str] = set()
    for name, content in contents.items():
        if name != "pack.yaml":
            chars |= set(yaml.safe_dump(content, allow_unicode=True))
    return {c for c in chars if c not in "\n\r\t"}


def _pack_yaml(
    options: DraftOptions, ctx: Context, intro: Outcome, contents: dict[str, dict[str, Any]], scaffold: dict[str, Any]
) -> dict[str, Any]:
    from ksafe.cultures.script_fonts import choose_font
    from ksafe.cultures.scripts import line_breaking_for, sentence_end_for

    info = dict(scaffold)
    spaces = None
    if intro.reply is not None:
        info["display_name"], info["description"] = intro.reply.display_name, intro.reply.description
        spaces = intro.reply.spaces_between_words
    info["script"] = ctx.script
    info["font"] = choose_font(ctx.script, _text_chars(contents), options.out)
    info["line_breaking"] = line_breaking_for(ctx.script, spaces)
    info["sentence_end"] = sentence_end_for(ctx.script)
    return info


def check_folder(folder: Path) -> KsafeError | None:
    """``ksafe culture check``'s verdict on ``folder``: ``None`` when it passes, else the first error."""
    from ksafe.cultures.loader import load_pack
    from ksafe.cultures.scaffold import check_no_markers

    try:
        check_no_markers(folder)
        load_pack(folder)
    except KsafeError as exc:
        return exc
    return None


def _culprit(error: KsafeError, outcomes: list[Outcome]) -> Outcome | None:
    """The drafted call whose file (and, for G, whose seed) the check error names."""
    if not isinstance(error, PackError):
        return None
    name = Path(error.file).name
    matching = [o for o in outcomes if o.job.file == name and o.reply is not None]
    if name == "g_translations.yaml":
        seed = error.field.split(".")[1] if error.field.startswith("translations.") else ""
        matching = [o for o in matching if seed in o.reply.translations] or matching
    return matching[0] if matching else None


async def _check_loop(
    calls: ModelCalls, options: DraftOptions, ctx: Context, outcomes: list[Outcome], result: DraftResult
) -> None:
    from ksafe.cultures.scaffold import find_todo_markers

    error = check_folder(options.out)
    for _ in range(CHECK_ROUNDS):
        culprit = _culprit(error, outcomes) if error else None
        if culprit is None:
            break
        culprit.messages = repaired(culprit.messages, culprit.text, f"ksafe culture check: {error}")
        culprit.reply = None
        await _ask(calls, options.generator, culprit, ctx)
        result.check_fixes += 1
        if culprit.reply is None:
            result.notes.append(culprit.failure)
        result.files.clear()
        _write_files(options, ctx, outcomes, result)
        error = check_folder(options.out)
    markers = find_todo_markers(options.out)
    per_file: dict[str, int] = {}
    for file, _ in markers:
        per_file[Path(file).name] = per_file.get(Path(file).name, 0) + 1
    result.left = [f"{name}: {count} TODO(fill) marker(s) to fill" for name, count in per_file.items()]
    if error is not None and not markers:
        result.left.append(str(error))
    result.notes = [n for n in dict.fromkeys(result.notes) if n]


@dataclass(frozen=True)
class DraftPlan:
    """What a draft will ask, before asking anything."""

    calls: int
    """First prompts: one per file, one per G category, the templates after the topics."""
    journaled: int
    """First prompts already answered in the folder's journal (free)."""
    min_calls: int
    max_calls: int
    input_tokens: int
    """Estimate: prompt bytes / 3 of the unanswered first prompts."""


def plan_draft(options: DraftOptions) -> DraftPlan:
    """Count the calls of a draft (no call is made, nothing is written)."""
    from ksafe.evaluation.journal import read_journal
    from ksafe.generation.calls import call_key

    ctx = _context(options)
    answered = {str(r.get("key")) for r in read_journal(options.out / JOURNAL)} if options.out.is_dir() else set()
    jobs = all_jobs(ctx)
    todo = [j for j in jobs if call_key(options.generator, j.messages, j.schema) not in answered]
    new = len(todo) + 1  # + the templates, whose prompt follows the topics' reply
    prompt_bytes = sum(len(text.encode("utf-8")) for j in todo for _, text in j.messages)
    return DraftPlan(
        calls=len(jobs) + 1,
        journaled=len(jobs) - len(todo),
        min_calls=new,
        max_calls=new * (2 + MAX_REPAIRS) + CHECK_ROUNDS,
        input_tokens=prompt_bytes // 3,
    )
