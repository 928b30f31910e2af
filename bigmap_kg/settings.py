"""Settings, read from environment variables (``BIGMAP_KG_*``); created where needed, never at import."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_store_path() -> Path:
    """``$XDG_DATA_HOME/bigmap-kg/store`` (``~/.local/share/bigmap-kg/store`` by default)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "bigmap-kg" / "store"


class Settings(BaseSettings):
    """Where the store is. An endpoint, when set, wins over the embedded path."""

    model_config = SettingsConfigDict(env_prefix="BIGMAP_KG_", extra="ignore")

    store: Path = Field(default_factory=default_store_path,
                        description="folder of the embedded Oxigraph store")
    endpoint: str | None = Field(default=None, description="SPARQL 1.1 query endpoint URL")
    update_endpoint: str | None = Field(default=None, description="SPARQL 1.1 update endpoint URL")
    union_default_graph: bool = Field(
        default=False, description="the remote server already queries the union of its graphs")
