"""``ksafe guard``: a thin wrapper over ``ksafe.guard`` (heavy imports happen inside the command)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ksafe.commands.errors import user_errors


def guard_command(
    source: Annotated[
        str,
        typer.Argument(help="Benchmark directory or parquet file; with --responses, a run directory of `ksafe eval`."),
    ],
    guard: Annotated[
        list[str],
        typer.Option(
            "--guard",
            "-g",
            help="FORMAT=MODEL: llama_guard, kanana, binary_logprob, shieldgemma, openai_moderation or llm, "
            "then an Inspect model string (a moderation model name for openai_moderation). FORMAT:text= / "
            "FORMAT:image= says whether the guard is shown the image. Repeat.",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Run directory (rerun the same command to resume).")],
    responses: Annotated[
        bool, typer.Option("--responses", help="Classify the answers stored by `ksafe eval` in SOURCE.")
    ] = False,
    ablation: Annotated[
        bool, typer.Option("--ablation/--no-ablation", help="Also ask with the key phrase in text (image ablation).")
    ] = True,
    threshold: Annotated[float, typer.Option(help="P(unsafe) at which score formats flag.")] = 0.5,
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
    max_connections: Annotated[int, typer.Option(help="Concurrent requests per guard.")] = 32,
    max_retries: Annotated[int, typer.Option(help="Retries of a failed request (429, 5xx, timeout).")] = 6,
    timeout: Annotated[int, typer.Option(help="Seconds per request, retries included.")] = 300,
    attempt_timeout: Annotated[int, typer.Option(help="Seconds per attempt.")] = 60,
    cache: Annotated[
        bool,
        typer.Option(
            "--cache/--no-cache",
            help="Response cache (a week; $INSPECT_CACHE_DIR or the platform cache folder of inspect_ai): a rerun, "
            "even into a new --out, does not ask a guard again what it answered; failed pairs are asked afresh. "
            "--client direct: ksafe's cache (ksafe-direct/), inspect: Inspect's.",
        ),
    ] = False,
    http_client: Annotated[
        str, typer.Option(help="HTTP client of openai-api/... guards: aiohttp or httpx.")
    ] = "aiohttp",
    client: Annotated[
        str,
        typer.Option(
            help="inspect: Inspect's model layer (any provider); direct: ksafe's lean HTTP client for "
            "openai-api/<service>/<model> guards (OpenAI-compatible servers such as vLLM), less CPU per call."
        ),
    ] = "inspect",
    workers: Annotated[
        int, typer.Option(help="Processes per guard (0 = auto: one per core for large --client direct runs).")
    ] = 0,
) -> None:
    """Evaluate guardrail models: flag harmful prompts (or answers), pass benign ones; write RUN_DIR."""
    with user_errors():
        from ksafe.errors import KsafeError
        from ksafe.evaluation.dataset import item_filter_from_options
        from ksafe.evaluation.engine import HTTP_CLIENTS, GenerateOptions
        from ksafe.guard.outputs import failures, print_leaderboard
        from ksafe.guard.run import GuardConfig, run_guards

        if http_client not in HTTP_CLIENTS:
            raise KsafeError(f"--http-client {http_client!r}: expected one of {', '.join(HTTP_CLIENTS)}")
        config = GuardConfig(
            source=source,
            guards=tuple(guard),
            out=out,
            responses=responses,
            item_filter=item_filter_from_options(
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
            ablation=ablation,
            threshold=threshold,
            client=client,
            workers=workers,
            options=GenerateOptions(
                max_connections=max_connections,
                max_retries=max_retries,
                timeout=timeout,
                attempt_timeout=attempt_timeout,
                max_tokens=None,
                cache=cache,
                http_client=http_client,
            ),
        )
        try:
            results = run_guards(config)
        except KeyboardInterrupt:  # Ctrl-C or a plain kill (SIGTERM): what was journaled stays
            typer.echo(f"interrupted: verdicts received are kept; rerun the same command to resume ({out})", err=True)
            raise SystemExit(130) from None
        print_leaderboard(results)
        typer.echo(f"results: {out / 'results.json'}")
        all_failed = False
        for name, failed, total, faults in failures(results):
            all_failed = all_failed or failed == total
            typer.echo(
                f"warning: {name}: {failed} of {total} items got no verdict ({faults}); "
                "run the same command again to ask them again (verdicts received are kept)",
                err=True,
            )
        if all_failed:
            typer.echo(
                "error: every item of a guard failed: check its model string, base URL, key and --timeout", err=True
            )
            raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``guard`` to ``app``."""
    app.command("guard")(guard_command)
