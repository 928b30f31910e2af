"""The charts page: D5.1 Figures 4-6 (competence mapping) and the observable coverage map, drawn
from the graph as server-side SVG."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from markupsafe import Markup

from api.deps import Reader, StoreDep
from api.templating import render
from bigmap_kg.charts import CLUSTER_ORDER, competence_charts, coverage_map, uncategorised_instruments
from bigmap_kg.output import labels_of
from bigmap_kg.store import TripleStore
from bigmap_kg.svg_charts import bubble_chart_svg, coverage_svg, legend_svg

router = APIRouter(include_in_schema=False)


def _page(store: TripleStore) -> dict[str, Any]:
    charts = competence_charts(store)
    clusters = labels_of(store, set(CLUSTER_ORDER))
    largest = max((len(b.partners) for c in charts for b in c.bubbles), default=1)
    cmap = coverage_map(store)
    return {
        "charts": [(c, Markup(bubble_chart_svg(c, largest, clusters))) for c in charts],
        "clusters": clusters,
        "legend": Markup(legend_svg(largest, clusters)),
        "coverage": cmap,
        "coverage_svg": Markup(coverage_svg(cmap, clusters)),
        "uncategorised": uncategorised_instruments(store),
    }


@router.get("/charts")
async def charts(request: Request, store: StoreDep, _: Reader) -> Response:
    return render(request, "charts.html", await run_in_threadpool(_page, store))
