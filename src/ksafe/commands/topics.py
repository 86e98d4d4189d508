"""``ksafe topics``: step 1, mining locally sensitive topics from community text.

Only typer is imported at module level; the miner is imported inside the command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ksafe.commands.errors import user_errors

topics_app = typer.Typer(help="Step 1: mine locally sensitive topics from community text.", no_args_is_help=True)


@topics_app.command("mine")
def mine(
    culture: Annotated[str, typer.Option("--culture", help="Culture pack code (ko, ja) or a pack folder.")],
    source: Annotated[
        list[str],
        typer.Option(
            "--source", help="JSONL/CSV/parquet of posts, HTML page, RSS/Atom file, a folder, or an http(s) URL."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Topic records to write (JSONL).")] = Path("topics.jsonl"),
    classifier: Annotated[
        str,
        typer.Option(
            "--classifier",
            help="'offline' (pack lexicons + similarity, no network) or an Inspect model string "
            "(e.g. openai/gpt-4o-mini; remote models need the network).",
        ),
    ] = "offline",
    mode: Annotated[str, typer.Option("--mode", help="single, multi or per_category.")] = "multi",
    encoder: Annotated[str, typer.Option("--encoder", help="auto, use (USE multilingual) or char-ngram.")] = "auto",
    background: Annotated[
        list[str] | None,
        typer.Option("--background", help="General-text sources: salience becomes log-odds against them."),
    ] = None,
    private_names: Annotated[
        Path | None,
        typer.Option("--private-names", help="File of private person/company names (one a line) to keep out."),
    ] = None,
    min_df: Annotated[int, typer.Option("--min-df", help="A phrase must occur in at least this many posts.")] = 3,
    max_topics: Annotated[int, typer.Option("--max-topics", help="Topic clusters sent to the classifier.")] = 200,
    crawl_delay: Annotated[float, typer.Option("--crawl-delay", help="Seconds between requests to one host.")] = 1.0,
    max_page_bytes: Annotated[int, typer.Option("--max-page-bytes", help="Size cap per fetched page.")] = 2_000_000,
    force: Annotated[
        bool, typer.Option("--force", help="Replace --out (and its side files) even if ksafe did not write them.")
    ] = False,
) -> None:
    """Mine topics from posts and write topics.jsonl (+ .dropped.jsonl and .summary.json beside it)."""
    with user_errors():
        from ksafe.topics.mining.classify import parse_mode
        from ksafe.topics.mining.crawler import CrawlPolicy
        from ksafe.topics.mining.pipeline import MiningOptions
        from ksafe.topics.mining.run import mine_to_files, side_paths

        summary = mine_to_files(
            pack=culture,
            sources=source,
            out=out,
            classifier=classifier,
            mode=parse_mode(mode),
            encoder=encoder,
            options=MiningOptions(min_df=min_df, max_topics=max_topics),
            background=background or [],
            private_names_file=private_names,
            crawl_policy=CrawlPolicy(min_delay_s=crawl_delay, max_bytes=max_page_bytes),
            force=force,
        )
        stats = summary["stats"]
        typer.echo(
            f"{summary['topics']} topics from {stats['posts']} posts "
            f"({summary['dropped']} dropped; encoder {stats['encoder']}; classifier {stats['classifier']}; "
            f"{stats['seconds']} s)"
        )
        for category, count in summary["topics_per_category"].items():
            typer.echo(f"  {category}: {count}")
        if stats.get("truncated_posts"):
            typer.echo(
                f"warning: {stats['truncated_posts']} posts longer than {stats['max_post_chars']:,} characters "
                f"were cut to their first {stats['max_post_chars']:,} (counted in the summary)",
                err=True,
            )
        for skipped in summary["skipped_sources"]:
            typer.echo(f"skipped {skipped['source']}: {skipped['reason']}", err=True)
        dropped, summary_path = side_paths(out)
        typer.echo(f"wrote {out}, {dropped}, {summary_path}")


def register(app: typer.Typer) -> None:
    """Add the ``topics`` group to ``app``."""
    app.add_typer(topics_app, name="topics")
