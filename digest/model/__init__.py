"""Stage 2, model: loaded articles become the site (articles, taxonomies, periods, assets)."""
