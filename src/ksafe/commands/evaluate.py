"""``ksafe eval``, ``ksafe rescore`` and ``ksafe judge sample|agreement``: thin wrappers over
``ksafe.evaluation`` (heavy imports happen inside the commands so ``ksafe --help`` stays fast)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ksafe.commands.errors import user_errors

judge_app = typer.Typer(
    help="Calibrate judges against human labels (a run's labelling sheet, or a labelled judge set).",
    no_args_is_help=True,
)

PackOption = Annotated[
    str | None,
    typer.Option(
        help="Culture pack (code or folder) whose refusal phrases the offline judge uses for languages other than "
        "ko, ja and en (default: the benchmark's culture)."
    ),
]
JudgeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--judge",
        "-j",
        help="`heuristic` (the offline structural judge), a plugin judge (`ksafe judges`), an Inspect model string "
        "(openai/gpt-4o), or your Inspect scorer (scorer:mypkg/my_scorer, scorer:module:function). "
        "Repeat for several judges; their agreement is reported. eval: `none` = no judge (answers only).",
    ),
]


def eval_command(
    benchmark: Annotated[str, typer.Argument(help="Benchmark directory (from `ksafe build`) or a parquet file.")],
    model: Annotated[
        list[str],
        typer.Option(
            "--model",
            "-m",
            help="Inspect model string of a target (openai/gpt-4o-mini, vllm/..., openai-api/<name>/<model>). Repeat.",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Run directory (rerun the same command to resume).")],
    judge: JudgeOption = None,
    limit: Annotated[int | None, typer.Option(help="Seeded random sample of N items after filtering.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the --limit sample.")] = 0,
    subset: Annotated[str | None, typer.Option(help="G, C (comma list).")] = None,
    domain: Annotated[str | None, typer.Option(help="Domain ids (comma list).")] = None,
    category: Annotated[str | None, typer.Option(help="Category ids (comma list).")] = None,
    strategy: Annotated[str | None, typer.Option(help="Jailbreak strategies (comma list; `none` = standard).")] = None,
    image_kind: Annotated[str | None, typer.Option(help="Image kinds (comma list).")] = None,
    items: Annotated[str, typer.Option(help="harmful, benign or all.")] = "all",
    g_version: Annotated[
        str, typer.Option(help="G versions: source_en, literal, contextualized (comma list) or all.")
    ] = "contextualized",
    text_only: Annotated[bool, typer.Option("--text-only", help="Ablation: the key phrase in text, no image.")] = False,
    rubric_language: Annotated[str, typer.Option(help="LLM judge rubric: en or item (the item's language).")] = "en",
    count_partial: Annotated[bool, typer.Option("--count-partial", help="Count partial compliance in ASR.")] = False,
    max_connections: Annotated[int, typer.Option(help="Concurrent requests per model.")] = 16,
    max_retries: Annotated[int, typer.Option(help="Retries of a failed request (429, 5xx, timeout).")] = 6,
    timeout: Annotated[int, typer.Option(help="Seconds per request, retries included.")] = 300,
    attempt_timeout: Annotated[int, typer.Option(help="Seconds per attempt.")] = 120,
    max_tokens: Annotated[int, typer.Option(help="Maximum answer tokens.")] = 1024,
    cache: Annotated[
        bool, typer.Option("--cache/--no-cache", help="Response cache: a rerun does not ask the same request again.")
    ] = True,
    client: Annotated[
        str,
        typer.Option(
            help="auto: direct for openai-api/<service>/<model> targets, inspect otherwise; inspect: Inspect's "
            "model layer (any provider); direct: ksafe's lean HTTP client (OpenAI-compatible servers, less CPU)."
        ),
    ] = "auto",
    http_client: Annotated[
        str,
        typer.Option(
            help="With --client inspect, HTTP client of openai-api/... targets: aiohttp (the openai SDK's aiohttp "
            "transport, less CPU per request) or httpx (Inspect's default)."
        ),
    ] = "aiohttp",
    display: Annotated[
        str,
        typer.Option(help="full: a progress bar on stderr while answers arrive (answered, failed, time left); none."),
    ] = "full",
    pack: PackOption = None,
    workers: Annotated[int, typer.Option(help="Answering processes per model (0 = auto: several for large runs).")] = 0,
    learned_layer: Annotated[
        bool,
        typer.Option(
            "--learned-layer",
            help="Offline judge: let its learned layer (sentence embeddings) weigh the rules' reading; more "
            "accurate on unseen wordings, ~100 ms of CPU per answer (same as KSAFE_JUDGE_LAYER=1).",
        ),
    ] = False,
) -> None:
    """Evaluate vision-language models on a built benchmark; write RUN_DIR and print a leaderboard."""
    if learned_layer:
        import os

        from ksafe.evaluation.structural.decision import LAYER_ENV

        os.environ[LAYER_ENV] = "1"  # read by the offline judge here and in the processes this run starts
    with user_errors():
        from ksafe.evaluation.dataset import item_filter_from_options
        from ksafe.evaluation.engine import GenerateOptions
        from ksafe.evaluation.outputs import print_leaderboard
        from ksafe.evaluation.run import RunConfig, run_eval

        config = RunConfig(
            benchmark=benchmark,
            models=tuple(model),
            out=out,
            judges=() if judge == ["none"] else tuple(judge or ["heuristic"]),
            items=item_filter_from_options(
                subset=subset,
                domain=domain,
                category=category,
                strategy=strategy,
                image_kind=image_kind,
                items=items,
                g_version=g_version,
                limit=limit,
                seed=seed,
            ),
            generate=GenerateOptions(
                max_connections=max_connections,
                max_retries=max_retries,
                timeout=timeout,
                attempt_timeout=attempt_timeout,
                max_tokens=max_tokens,
                cache=cache,
                http_client=http_client,
                client=client,
            ),
            text_only=text_only,
            rubric_language=rubric_language,
            count_partial=count_partial,
            display=display,
            pack=pack,
            workers=workers,
            owns_process=True,  # this command owns its process: workers may be forked, its heap frozen
        )
        results = run_eval(config)
        print_leaderboard(results)
        typer.echo(f"results: {out / 'results.json'}")
        report_failures(out, results)


def report_failures(out: Path, results: Any) -> None:
    """Warn about items whose call failed and answers a judge failed on; exit 1 when all of one failed."""
    from ksafe.evaluation.outputs import failures, judge_failures
    from ksafe.secrets import redact

    all_failed = False
    for model, n, total, message in failures(out, results):
        all_failed = all_failed or n == total
        typer.echo(
            redact(
                f"warning: {model}: {n} of {total} items failed ({message[:300]}); "
                "run the same command again to retry them (answers received are kept)"
            ),
            err=True,
        )
    judge_all_failed = False
    for model, judge, n, judged, message in judge_failures(out, results):
        judge_all_failed = judge_all_failed or n == judged
        typer.echo(
            redact(
                f"warning: {model}: judge {judge}: {n} of {judged} answers not judged ({message[:300]}); "
                "run the same command again to judge them (the target is not asked again)"
            ),
            err=True,
        )
    if all_failed:
        typer.echo("error: every item of a model failed: check its base URL, API key and --timeout", err=True)
    if judge_all_failed:
        typer.echo("error: a judge failed on every answer: check its base URL, API key and --timeout", err=True)
    if all_failed or judge_all_failed:
        raise typer.Exit(1)


def rescore_command(
    run_dir: Annotated[Path, typer.Argument(help="Run directory written by `ksafe eval`.")],
    judge: JudgeOption = None,
    rubric_language: Annotated[str, typer.Option(help="LLM judge rubric: en or item.")] = "en",
    pack: PackOption = None,
) -> None:
    """Re-judge a run's stored answers (the target model is not called again)."""
    with user_errors():
        from ksafe.evaluation.outputs import print_leaderboard
        from ksafe.evaluation.rescore import rescore_run

        results = rescore_run(run_dir, tuple(judge or ["heuristic"]), rubric_language, pack=pack)
        print_leaderboard(results)
        report_failures(run_dir, results)


@judge_app.command("sample")
def judge_sample(
    run_dir: Annotated[Path, typer.Argument(help="Run directory.")],
    n: Annotated[int, typer.Option(help="Answers to label.")] = 100,
    seed: Annotated[int, typer.Option(help="Seed of the sample.")] = 0,
    sheet: Annotated[Path | None, typer.Option("--out", help="Sheet path (default RUN_DIR/judge_labels.csv).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing sheet (its labels are lost).")] = False,
) -> None:
    """Write a CSV labelling sheet: fill its human_verdict column, then run `ksafe judge agreement`."""
    with user_errors():
        from ksafe.evaluation.calibration import LABEL_CHOICES, write_label_sheet

        path = sheet or run_dir / "judge_labels.csv"
        if path.exists() and not force:
            from ksafe.errors import KsafeError

            raise KsafeError(f"{path}: exists (it may hold your labels); pass --force to overwrite, or --out elsewhere")
        count = write_label_sheet(run_dir, path, n=n, seed=seed)
        typer.echo(f"wrote {count} rows to {path}; fill human_verdict with one of: {', '.join(LABEL_CHOICES)}")
        if count < n:
            typer.echo(f"note: only {count} judged answers in {run_dir} (asked for {n}): the sheet holds all of them")


@judge_app.command("agreement")
def judge_agreement(
    run_dir: Annotated[Path | None, typer.Argument(help="Run directory.")] = None,
    labels: Annotated[Path | None, typer.Argument(help="Filled labelling sheet (CSV).")] = None,
    judge_set: Annotated[
        str | None,
        typer.Option("--set", help="Instead of a run: judge a labelled judge set (`builtin` or a YAML file/folder)."),
    ] = None,
    judge: Annotated[list[str] | None, typer.Option("--judge", "-j", help="Judges for --set (repeat).")] = None,
    split: Annotated[str, typer.Option(help="Split of --set: heldout, dev or all.")] = "all",
) -> None:
    """Percent agreement and Cohen's kappa of each judge with the human labels, overall and per category."""
    with user_errors():
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table

        from ksafe.errors import KsafeError
        from ksafe.evaluation.calibration import label_agreement, record_human_agreement

        if judge_set is not None:
            from ksafe.evaluation.judge_quality import set_agreement

            report = set_agreement(judge_set, tuple(judge or ["heuristic"]), split)
        elif run_dir is None or labels is None:
            raise KsafeError("judge agreement: give RUN_DIR and LABELS (a filled sheet), or --set")
        else:
            report = label_agreement(run_dir, labels)
        table = Table(title="judge vs human labels")
        for column in ("scope", "judge", "n", "agreement %", "Cohen's kappa"):
            table.add_column(column)
        rows = [("overall", a) for a in report.overall]
        rows += [(category, a) for category, group in sorted(report.per_category.items()) for a in group]
        for scope, a in rows:
            percent = "n/a" if a.percent_agreement is None else f"{a.percent_agreement * 100:.1f}"
            kappa = "n/a" if a.cohen_kappa is None else f"{a.cohen_kappa:.3f}"
            table.add_row(escape(scope), escape(a.b), str(a.n), percent, kappa)
        Console().print(table)
        if judge_set is None and run_dir is not None:
            record_human_agreement(run_dir, report)


def register(app: typer.Typer) -> None:
    """Add ``eval``, ``rescore`` and the ``judge`` group to ``app``."""
    app.command("eval")(eval_command)
    app.command("rescore")(rescore_command)
    from ksafe.commands.judge_check import check_command

    judge_app.command("check")(check_command)
    app.add_typer(judge_app, name="judge")
