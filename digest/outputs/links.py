"""Where a list item's headline goes: the article's page on the site, or the story itself for a link item."""

from __future__ import annotations

from digest.config import SiteConfig
from digest.model.site import Article
from digest.rules.urls import join_base


def item_url(article: Article, config: SiteConfig) -> str:
    """The absolute URL an edition's item links to."""
    if article.link and article.source is not None:
        return article.source.url
    return join_base(config.base_url, article.url)
