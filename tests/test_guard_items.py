"""Image paths from a benchmark's data files stay inside its folder (``ksafe.guard.items.ImagePaths``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ksafe.errors import KsafeError
from ksafe.guard.items import ImagePaths


@pytest.fixture
def bench(tmp_path: Path) -> Path:
    root = tmp_path / "bench"
    (root / "images" / "sub").mkdir(parents=True)
    (root / "images" / "a.png").write_bytes(b"png")
    (root / "images" / "sub" / "b.png").write_bytes(b"png")
    (tmp_path / "secret.png").write_bytes(b"outside")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "c.png").write_bytes(b"outside")
    return root


def test_plain_files_resolve_to_their_absolute_path(bench: Path) -> None:
    paths = ImagePaths(bench)
    assert paths.path("images/a.png") == str((bench / "images" / "a.png").resolve())
    assert paths.path("images/sub/b.png") == str((bench / "images" / "sub" / "b.png").resolve())
    assert paths.path("images/./a.png") == str((bench / "images" / "a.png").resolve())


def test_a_path_leaving_the_folder_is_refused(bench: Path) -> None:
    with pytest.raises(KsafeError, match="outside the benchmark folder"):
        ImagePaths(bench).path("images/../../secret.png")
    with pytest.raises(KsafeError, match="outside the benchmark folder"):
        ImagePaths(bench).path(str(bench.parent / "secret.png"))


def test_a_symlink_out_of_the_folder_is_refused(bench: Path) -> None:
    (bench / "images" / "link.png").symlink_to(bench.parent / "secret.png")
    (bench / "linked").symlink_to(bench.parent / "elsewhere")
    paths = ImagePaths(bench)
    assert paths.path("images/a.png").endswith("images/a.png")  # the folder's listing is cached first
    with pytest.raises(KsafeError, match="outside the benchmark folder"):
        paths.path("images/link.png")
    with pytest.raises(KsafeError, match="outside the benchmark folder"):
        paths.path("linked/c.png")


def test_a_symlink_inside_the_folder_resolves_to_its_target(bench: Path) -> None:
    (bench / "images" / "alias.png").symlink_to(bench / "images" / "sub" / "b.png")
    assert ImagePaths(bench).path("images/alias.png") == str((bench / "images" / "sub" / "b.png").resolve())


def test_a_missing_file_is_named(bench: Path) -> None:
    with pytest.raises(KsafeError, match=r"images/none\.png: file not found"):
        ImagePaths(bench).path("images/none.png")
