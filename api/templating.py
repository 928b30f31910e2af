"""Templates and static files, found through importlib.resources (they ship in the wheel)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from bigmap_kg import __version__


def _folder(name: str) -> Path:
    return Path(str(resources.files("api").joinpath(name)))


def static_dir() -> Path:
    return _folder("static")


_templates: Jinja2Templates | None = None


def templates() -> Jinja2Templates:
    global _templates
    if _templates is None:
        _templates = Jinja2Templates(directory=str(_folder("templates")))
        _templates.env.globals["version"] = __version__
    return _templates


def render(request: Request, name: str, context: dict[str, Any] | None = None,
           status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A page: the template with the request and ``context``."""
    return templates().TemplateResponse(request, name, context or {}, status_code=status_code,
                                        headers=headers)
