"""``ksafe topics``: step 1, mining locally sensitive topics from community text.

Only typer is imported at module level; the miner is imported inside the command.
"""

from __future__ import annotations

from pathlib import Path

import typer

from ksafe.commands.errors import user_errors

topics_app = typer.Typer(help="Step 1: mine locally sensitive topics from community text.", no_args_is_help=True)


@topics_app.command("mine")
def mine(
    culture: str = typer.Option(..., "--culture", help="Culture pack code (ko, ja) or a pack folder."),
    source: list[str] = typer.Option(
        ..., "--source", help="JSONL/CSV/parquet of posts, HTML page, RSS/Atom file, a folder, or an http(s) URL."
    ),
    out: Path = typer.Option(Path("topics.jsonl"), "--out", help="Topic records to write (JSONL)."),
    classifier: str = typer.Option(
        "offline", "--classifier", help="'offline' (pack lexicons + similarity) or an Inspect model string."
    ),
    mode: str = typer.Option("multi", "--mode", help="single, multi or per_category."),
    encoder: str = typer.Option("auto", "--encoder", help="auto, use (USE multilingual) or char-ngram."),
    background: list[str] = typer.Option(
        [], "--background", help="General-text sources: salience becomes log-odds against them."
    ),
    private_names: Path | None = typer.Option(
        None, "--private-names", help="File of private person/company names (one a line) to keep out."
    ),
    min_df: int = typer.Option(3, "--min-df", help="A phrase must occur in at least this many posts."),
    max_topics: int = typer.Option(200, "--max-topics", help="Topic clusters sent to the classifier."),
    crawl_delay: float = typer.Option(1.0, "--crawl-delay", help="Seconds between requests to one host."),
    max_page_bytes: int = typer.Option(2_000_000, "--max-page-bytes", help="Size cap per fetched page."),
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
            background=background,
            private_names_file=private_names,
            crawl_policy=CrawlPolicy(min_delay_s=crawl_delay, max_bytes=max_page_bytes),
        )
        stats = summary["stats"]
        typer.echo(
            f"{summary['topics']} topics from {stats['posts']} posts "
            f"({summary['dropped']} dropped; encoder {stats['encoder']}; classifier {stats['classifier']}; "
            f"{stats['seconds']} s)"
        )
        for category, count in summary["topics_per_category"].items():
            typer.echo(f"  {category}: {count}")
        for skipped in summary["skipped_sources"]:
            typer.echo(f"skipped {skipped['source']}: {skipped['reason']}", err=True)
        dropped, summary_path = side_paths(out)
        typer.echo(f"wrote {out}, {dropped}, {summary_path}")


def register(app: typer.Typer) -> None:
    """Add the ``topics`` group to ``app``."""
    app.add_typer(topics_app, name="topics")
