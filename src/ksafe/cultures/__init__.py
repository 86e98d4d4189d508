"""Culture packs: data files that hold everything culture-specific. The code knows no culture by name."""
