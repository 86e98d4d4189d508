"""The safety taxonomy: domains and categories (KSAFE-MM default: 11 categories in 3 domains)."""

from __future__ import annotations

from pydantic import Field

from ksafe.schema.base import FrozenRecord

DEFAULT_CATEGORY_IDS: tuple[str, ...] = (
    "hate_unfairness",
    "violence",
    "sexual",
    "self_harm",
    "political_religious_neutrality",
    "anthropomorphism",
    "sensitive_uses",
    "privacy",
    "illegal_unethical",
    "copyrights",
    "weaponization",
)
"""The 11 KSAFE-MM categories every pack must cover (a pack may add more)."""


class Domain(FrozenRecord):
    """A group of categories (content safety, socio-economic, legal and rights)."""

    id: str
    """Stable identifier, snake_case."""
    name: str
    """Display name in English."""
    local_name: str = ""
    """Display name in the pack's language."""


class Category(FrozenRecord):
    """One risk category of the taxonomy."""

    id: str
    """Stable identifier, snake_case (e.g. ``hate_unfairness``)."""
    domain: str
    """Id of the domain this category belongs to."""
    name: str
    """Display name in English."""
    local_name: str = ""
    """Display name in the pack's language."""
    description: str = ""
    """What the category covers, in English."""
    lexicon: tuple[str, ...] = ()
    """Words in the pack's language that signal this category (used by offline topic mapping)."""


class Taxonomy(FrozenRecord):
    """Domains and their categories."""

    domains: tuple[Domain, ...]
    """The domains, in display order."""
    categories: tuple[Category, ...] = Field(min_length=1)
    """The categories, in display order."""

    def category(self, category_id: str) -> Category:
        """Return the category with ``category_id`` or raise ``KeyError``."""
        for category in self.categories:
            if category.id == category_id:
                return category
        raise KeyError(category_id)

    def domain_of(self, category_id: str) -> str:
        """Return the domain id of ``category_id``."""
        return self.category(category_id).domain

    @property
    def category_ids(self) -> tuple[str, ...]:
        """All category ids in display order."""
        return tuple(c.id for c in self.categories)
