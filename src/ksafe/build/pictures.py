"""Step 3 with an image generator: pictures for the ``sd``, ``sd_typography`` and ``scene_news_photo`` kinds.

Input: the planned queries of picture kinds, ``GeneratorOptions`` and the pack's prompt book. Output: an
``ImageAsset`` (with provenance) per picture job, the set of dropped jobs, and the manifest's
``image_generation`` entry. Side effects: opens the generator only when some picture is missing (weights load
or connections start then), writes composed PNGs content-addressed under ``OUT/images/`` and appends every
finished or dropped job to the render journal, so a build killed at any moment resumes where it stopped. Every
picture is screened (Open-NSFW); a rejected one is asked again with a derived seed at most N times, then its
items are dropped.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ksafe.build.render_jobs import JOURNAL, read_journal
from ksafe.cultures.loader import CulturePack
from ksafe.errors import KsafeError
from ksafe.fileio import write_text_atomic
from ksafe.images.generators.base import GenerationRequest, GenerationResult, GeneratorOptions, ImageGenerator
from ksafe.images.generators.prompts import PromptBook, load_prompt_book
from ksafe.images.renderers.picture import PICTURE_KINDS, compose_png
from ksafe.images.screening.nsfw import NsfwScreen
from ksafe.images.screening.policy import ConceptCheck, ScreenPolicy, attempt_seed
from ksafe.images.store import store_png
from ksafe.schema.base import canonical_json, content_id
from ksafe.schema.records import ImageAsset, ImageProvenance, Query

PICTURE_KIND_NAMES: tuple[str, ...] = tuple(PICTURE_KINDS)
PROVENANCE_FILE = "image_provenance.jsonl"
GENERATOR_INFO = JOURNAL.parent / "generator.json"


@dataclass(frozen=True)
class PictureJob:
    """One composed image around one generated picture."""

    key: str
    kind: str
    text: str
    prompt: str
    seed: int


@dataclass
class _Pending:
    job: PictureJob
    attempt: int = 0
    scores: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class _Outcome:
    key: str
    asset: ImageAsset | None = None
    retry_score: float | None = None
    dropped: str | None = None
    error: str | None = None
    generated: bool = True


class PictureStage:
    """Collects picture jobs while the build plans, then generates, screens and composes them.

    Args:
        options: The generator and screening options.
        pack: The culture pack (prompt templates and cues, font through the render context).
        open_generator: Opens the generator (tests may pass their own); called only when work remains.
        screen: The NSFW screen (None: Open-NSFW at ``options.nsfw_threshold``).
        concept_check: Optional concept-match check (CLIP, a VLM role): a picture scoring below
            ``concept_threshold`` is regenerated like an NSFW rejection, then dropped.
        concept_threshold: The lowest concept score kept.
    """

    def __init__(
        self,
        options: GeneratorOptions,
        pack: CulturePack,
        open_generator: Callable[[GeneratorOptions], ImageGenerator] | None = None,
        screen: NsfwScreen | None = None,
        concept_check: ConceptCheck | None = None,
        concept_threshold: float = 0.0,
    ) -> None:
        from ksafe.images.generators.base import check_generator
        from ksafe.images.generators.base import open_generator as default_open

        if open_generator is None:
            check_generator(options)
        self.options = options
        self.book: PromptBook = load_prompt_book(pack, PICTURE_KIND_NAMES)
        self.policy = ScreenPolicy(
            nsfw_threshold=options.nsfw_threshold,
            regenerations=options.regenerations,
            concept_check=concept_check,
            concept_threshold=concept_threshold,
        )
        self.screen = screen or NsfwScreen(options.nsfw_threshold)
        self._open = open_generator or default_open
        self.jobs: dict[str, PictureJob] = {}
        self.dropped: dict[str, str] = {}
        self.stats = {"generated": 0, "rejected": 0, "dropped_pictures": 0, "resumed": 0}
        self.generator_info: dict[str, Any] | None = None
        self._deciding = options.model_dump(mode="json", include={"spec", "steps", "guidance", "size", "dtype"})
        self._screening: dict[str, Any] = {"threshold": options.nsfw_threshold, "regenerations": options.regenerations}
        if concept_check is not None:
            self._screening["concept_check"] = getattr(concept_check, "__name__", type(concept_check).__name__)
            self._screening["concept_threshold"] = concept_threshold
        self._out_dir = Path(".")

    @staticmethod
    def handles(kind: str) -> bool:
        """Is ``kind`` a picture kind?"""
        return kind in PICTURE_KINDS

    def __len__(self) -> int:
        return len(self.jobs)

    def add(self, query: Query, kind: str, seed: int) -> str:
        """Plan the picture of ``query`` shown as ``kind``; return its job key."""
        prompt = self.book.prompt(query, kind, seed)
        picture_seed = int(content_id("picture", seed, kind, query.key_phrase), 16) % (2**31)
        key = content_id("picture", kind, query.key_phrase, prompt, picture_seed, self._deciding)
        self.jobs.setdefault(key, PictureJob(key, kind, query.key_phrase, prompt, picture_seed))
        return key

    def _read_dropped(self, out: Path, context_ids: dict[str, str]) -> None:
        """Jobs an earlier run dropped under the same screening rules (they are not asked again)."""
        path = out / JOURNAL
        if not path.is_file():
            return
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                try:
                    entry = json.loads(line)
                    key, reason = entry["key"], entry["dropped"]
                except (ValueError, KeyError, TypeError):
                    continue
                if (
                    key in self.jobs
                    and entry.get("contexts") == context_ids
                    and entry.get("screening") == self._screening
                ):
                    self.dropped[key] = str(reason)

    def run(
        self, ctx: Any, context_ids: dict[str, str], out: Path, on_progress: Callable[[int], None] | None = None
    ) -> dict[str, ImageAsset]:
        """Make every planned picture not yet journaled; return assets by job key (dropped ones absent).

        Raises:
            KsafeError: pictures still failed after the backend's retries (finished ones are journaled, so
                rerunning the same command retries only those), or the generator could not be opened.
        """
        progress = on_progress or (lambda n: None)
        self._out_dir = out
        done = {k: a for k, a in read_journal(out, context_ids).items() if k in self.jobs and a.provenance}
        self.stats["resumed"] = len(done)
        self._read_dropped(out, context_ids)
        (out / JOURNAL).parent.mkdir(parents=True, exist_ok=True)
        todo = [_Pending(job) for key, job in self.jobs.items() if key not in done and key not in self.dropped]
        progress(len(self.jobs) - len(todo))
        if not todo:
            return done
        generator = self._open(self.options)  # weights load / clients start only here
        try:
            info = generator.info
            self.generator_info = {
                "backend": info.backend,
                "model": info.model,
                "revision": info.revision,
                "deterministic": info.deterministic,
                "batched": info.batched,
                "concurrent": info.concurrent,
                "settings": info.settings,
                "runtime": info.runtime,
            }
            write_text_atomic(self._out_dir / GENERATOR_INFO, canonical_json(self.generator_info))
            failures = self._generate(generator, todo, ctx, context_ids, out, done, progress)
        finally:
            generator.close()
        if failures:
            first = next(iter(failures.values()))
            raise KsafeError(
                f"{len(failures)} of {len(self.jobs)} generated images failed ({first}); finished images are kept "
                f"in {out}: rerun the same command to retry the rest"
            )
        return done

    def _generate(
        self,
        generator: ImageGenerator,
        todo: list[_Pending],
        ctx: Any,
        context_ids: dict[str, str],
        out: Path,
        done: dict[str, ImageAsset],
        progress: Callable[[int], None],
    ) -> dict[str, str]:
        failures: dict[str, str] = {}
        pending = {p.job.key: p for p in todo}
        workers = max(1, min(4, os.cpu_count() or 1))
        with (
            (out / JOURNAL).open("a", encoding="utf-8") as journal,
            ThreadPoolExecutor(workers, thread_name_prefix="ksafe-compose") as pool,
        ):

            def record(outcome: _Outcome) -> None:
                entry: dict[str, Any] = {"key": outcome.key, "contexts": context_ids, "screening": self._screening}
                item = pending[outcome.key]
                if outcome.asset is not None:
                    done[outcome.key] = outcome.asset
                    entry["asset"] = outcome.asset.model_dump(mode="json")
                elif outcome.dropped is not None:
                    self.dropped[outcome.key] = outcome.dropped
                    self.stats["dropped_pictures"] += 1
                    entry["dropped"] = outcome.dropped
                    entry["scores"] = item.scores
                else:
                    return
                journal.write(json.dumps(entry, ensure_ascii=False) + "\n")
                journal.flush()
                progress(1)

            retry: list[_Pending] = []

            def settle(futures: Iterable[Future[_Outcome]]) -> None:
                for future in futures:
                    outcome = future.result()
                    if outcome.generated:
                        self.stats["generated"] += 1
                    if outcome.retry_score is not None:
                        item = pending[outcome.key]
                        item.scores.append(outcome.retry_score)
                        item.attempt += 1
                        self.stats["rejected"] += 1
                        retry.append(item)
                    elif outcome.error is not None:
                        failures[outcome.key] = outcome.error
                    else:
                        record(outcome)

            while todo:
                requests = [
                    GenerationRequest(p.job.key, p.job.prompt, attempt_seed(p.job.seed, p.attempt)) for p in todo
                ]
                outstanding: set[Future[_Outcome]] = set()
                for result in generator.generate(requests):
                    outstanding.add(pool.submit(self._finish, pending[result.request.key], result, ctx))
                    if len(outstanding) >= 2 * workers:
                        finished, outstanding = wait(outstanding, return_when=FIRST_COMPLETED)
                        settle(finished)
                settle(outstanding)
                todo = list(retry)
                retry.clear()
            os.fsync(journal.fileno())
        return failures

    def _finish(self, item: _Pending, result: GenerationResult, ctx: Any) -> _Outcome:
        """Screen, compose and store one picture (runs in a worker thread)."""
        key = item.job.key
        if result.png is None:
            if result.refused:
                return _Outcome(key, dropped=f"refused by the backend: {result.error}", generated=False)
            return _Outcome(key, error=result.error or "no image", generated=False)
        verdict = self.screen.score(result.png)
        if verdict.rejected:
            if item.attempt + 1 < self.policy.attempts:
                return _Outcome(key, retry_score=verdict.score)
            item.scores.append(verdict.score)
            return _Outcome(key, dropped=f"nsfw score {verdict.score} > {self.policy.nsfw_threshold}")
        check = self.policy.concept_check
        if check is not None:
            concept = round(float(check(result.png, item.job.text)), 6)
            if concept < self.policy.concept_threshold:
                if item.attempt + 1 < self.policy.attempts:
                    return _Outcome(key, retry_score=concept)
                item.scores.append(concept)
                return _Outcome(key, dropped=f"concept score {concept} < {self.policy.concept_threshold}")
        return _Outcome(key, asset=self._compose(item, result, verdict.score, ctx))

    def _compose(self, item: _Pending, result: GenerationResult, score: float, ctx: Any) -> ImageAsset:
        import hashlib
        import io

        from PIL import Image

        job = item.job
        with Image.open(io.BytesIO(result.png or b"")) as picture:
            size = f"{picture.width}x{picture.height}"
        png, width, height = compose_png(job.kind, job.text, result.png or b"", ctx, job.seed)
        info = self.generator_info or {}
        provenance = ImageProvenance(
            backend=info["backend"],
            model=info["model"],
            revision=info["revision"],
            prompt=job.prompt,
            seed=result.request.seed,
            attempt=item.attempt,
            steps=info["settings"].get("steps"),
            guidance=info["settings"].get("guidance"),
            size=size,
            picture_sha256=hashlib.sha256(result.png or b"").hexdigest(),
            nsfw_score=score,
            nsfw_model=self.screen.model_id,
            settings={k: v for k, v in info["settings"].items() if k not in ("steps", "guidance")},
            revised_prompt=result.provenance.get("revised_prompt"),
        )
        stored = store_png(self._out_dir, png, job.kind, job.text, width, height)
        return stored.model_copy(update={"provenance": provenance})

    def _saved_generator_info(self) -> dict[str, Any]:
        """The generator an earlier run of this build opened (every picture was resumed)."""
        try:
            saved: dict[str, Any] = json.loads((self._out_dir / GENERATOR_INFO).read_text(encoding="utf-8"))
            return saved
        except (OSError, ValueError):
            return {"spec": self.options.spec}

    def manifest_entry(self, items_dropped: int) -> dict[str, Any]:
        """The manifest's ``image_generation``: generator, screening and counts (this run's, plus resumed)."""
        return {
            "generator": self.generator_info or self._saved_generator_info(),
            "options": self.options.model_dump(mode="json"),
            "prompts_sha256": self.book.sha256,
            "screening": {"model": self.screen.model_id, **self._screening},
            "pictures": len(self.jobs),
            "pictures_dropped": len(self.dropped),
            "items_dropped": items_dropped,
        }


def write_provenance(out: Path, assets: Iterable[ImageAsset]) -> int:
    """Write ``OUT/image_provenance.jsonl``: one line per generated image (sorted by hash); return the count.

    Removes the file when no image was generated (a rebuild without a generator leaves no stale sidecar).
    """
    rows = sorted(
        (a for a in assets if a.provenance is not None),
        key=lambda a: a.sha256,
    )
    path = out / PROVENANCE_FILE
    if not rows:
        path.unlink(missing_ok=True)
        return 0
    lines = "".join(
        canonical_json(
            {
                "sha256": a.sha256,
                "path": a.path,
                "kind": a.kind,
                "text": a.text,
                **(a.provenance.model_dump(mode="json") if a.provenance else {}),
            }
        )
        + "\n"
        for a in rows
    )
    write_text_atomic(path, lines)
    return len(rows)
