"""Korean particle errors in a pack's jailbreak wrappers as rendered around real queries (issue: follow-ups 3).

Usage: ``python scripts/wrapper_particles.py [CULTURE] [SAMPLE]`` (default ``ko 200``). Input: the pack's C
query pairs (``make_c_queries`` at seed 0); ``SAMPLE`` of them, harmful and benign sides, drawn with
``random.Random(0)``. Output on stdout: how many texts were rendered (every wrapper text x each query, around
its image prompt and its query), how many particle errors ``ksafe lint`` would report in them, per wrapper,
and the first few. No side effects.
"""

from __future__ import annotations

import random
import sys
from collections import Counter

from ksafe.cultures.loader import load_pack
from ksafe.quality.lint import rendered_wrapper_particle_errors
from ksafe.queries.c_queries import make_c_queries


def main(culture: str, sample: int) -> None:
    """Print the rendered-wrapper particle counts of ``culture``."""
    pack = load_pack(culture)
    pairs = sorted((p for ps in make_c_queries(pack, pack.topics, 0).values() for p in ps), key=lambda p: p.harmful.id)
    chosen = random.Random(0).sample(pairs, min(sample, len(pairs)))
    queries = [q for pair in chosen for q in (pair.harmful, pair.benign)]
    rendered, errors = rendered_wrapper_particle_errors(pack, queries)
    per_wrapper = Counter(error.split(" / ")[0] for error in errors)
    print(f"{culture}: {len(queries)} queries x {rendered // (2 * len(queries))} wrapper texts = {rendered} texts")
    print(f"particle errors: {len(errors)} in {len(per_wrapper)} wrapper text(s) {dict(per_wrapper)}")
    for error in errors[:5]:
        print("  " + error)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "ko", int(sys.argv[2]) if len(sys.argv) > 2 else 200)
