"""The planner page: a characterisation request as a form (GET, so results can be linked), the
D5.5 filtering process and the ranked measurement plans."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.deps import Reader, StoreDep
from api.templating import render
from bigmap_kg.errors import UnknownReference
from bigmap_kg.planner_form import (
    LEVELS,
    MAX_LIMIT,
    ROI_KINDS,
    Outcome,
    PlannerForm,
    planner_choices,
    run_form,
)
from bigmap_kg.requests import stored_requests

router = APIRouter(include_in_schema=False)


@router.get("/planner")
async def planner(request: Request, store: StoreDep, _: Reader) -> Response:
    params = {key: request.query_params.getlist(key) for key in request.query_params}
    choices = await run_in_threadpool(planner_choices, store)
    form, outcome, loaded = PlannerForm(), None, None
    example = request.query_params.get("example")
    if example:
        try:
            found = await run_in_threadpool(stored_requests, store, example)
            form, loaded = PlannerForm.from_request(found[0]), example
        except UnknownReference as exc:
            outcome = Outcome(None, {"example": [{"message": exc.message, "hint": exc.hint or "",
                                                  "field": "example"}]})
    elif "run" in params:
        form = PlannerForm.from_params(params)
        outcome = await run_in_threadpool(run_form, store, form)
    status = 422 if outcome is not None and outcome.problems else 200
    return render(request, "planner.html", {
        "choices": choices, "form": form, "outcome": outcome, "loaded": loaded,
        "levels": LEVELS, "roi_kinds": ROI_KINDS, "max_limit": MAX_LIMIT,
        "problems": outcome.problems if outcome else {}, "report": outcome.report if outcome else None,
    }, status_code=status)
