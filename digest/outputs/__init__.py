"""Page sources that are not templates (feeds, search index, sitemap), registered with the planner.

Adding an output is one module with a ``plan_<name>(planner)`` function plus one line in ``PLANNERS``.
They run in this order after the template pages: the sitemap lists every page, so it runs last.
"""

from __future__ import annotations

from typing import Callable

from digest.outputs.editions import plan_editions
from digest.outputs.feeds import plan_feeds
from digest.outputs.search import plan_search
from digest.outputs.sitemap import plan_sitemap
from digest.plan.pages import Planner

OutputPlanner = Callable[[Planner], None]

PLANNERS: tuple[OutputPlanner, ...] = (plan_feeds, plan_editions, plan_search, plan_sitemap)

# The outputs planned anew by every build, side by side in PLANNERS: their pages are named by the
# articles' bodies (the search index) or hold their keys in their own inputs (editions). The plan of
# every other page is kept between builds while what it follows from is the same (``digest.plan.kept``).
PLANNED_EACH_BUILD: tuple[OutputPlanner, ...] = (plan_editions, plan_search)
