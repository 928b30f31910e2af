"""Settings, read from keyword arguments, ``BIGMAP_KG_*`` environment variables and a TOML
config file (in that order of precedence); created where needed, never at import.

The config file is ``$BIGMAP_KG_CONFIG`` when set, else ``~/.config/bigmap-kg/config.toml`` when
it exists. Its keys are the field names below (``store = "/srv/bigmap-kg/store"``, ``port = 8000``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


def default_store_path() -> Path:
    """``$XDG_DATA_HOME/bigmap-kg/store`` (``~/.local/share/bigmap-kg/store`` by default)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "bigmap-kg" / "store"


def config_file() -> Path | None:
    """The TOML config file in use, if any."""
    named = os.environ.get("BIGMAP_KG_CONFIG")
    if named:
        return Path(named)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    default = Path(base) / "bigmap-kg" / "config.toml"
    return default if default.is_file() else None


class Settings(BaseSettings):
    """Where the store is, and how the service runs. An endpoint, when set, wins over the
    embedded path."""

    model_config = SettingsConfigDict(env_prefix="BIGMAP_KG_", extra="ignore")

    store: Path = Field(default_factory=default_store_path,
                        description="folder of the embedded Oxigraph store")
    endpoint: str | None = Field(default=None, description="SPARQL 1.1 query endpoint URL")
    update_endpoint: str | None = Field(default=None, description="SPARQL 1.1 update endpoint URL")
    union_default_graph: bool = Field(
        default=False, description="the remote server already queries the union of its graphs")
    graph_list_seconds: float = Field(
        default=0.0, ge=0, description="seconds the list of a remote server's graphs, which names "
                                       "the dataset of each query, may be reused (0: asked for "
                                       "with every query); bigmap-kg's own writes renew it")
    server: Literal["generic", "virtuoso"] = Field(
        default="generic", description="the remote server's kind, for its dialect: 'virtuoso' "
                                       "(docs/scaling.md), else any SPARQL 1.1 server")
    endpoint_user: str | None = Field(default=None, description="user for the update endpoint")
    endpoint_password: SecretStr | None = Field(
        default=None, description="password for the update endpoint (HTTP digest or basic)")

    # -- the service (bigmap-kg serve) ------------------------------------------------------
    host: str = Field(default="127.0.0.1", description="address the service listens on")
    port: int = Field(default=8000, ge=1, le=65535, description="port the service listens on")
    tokens_file: Path | None = Field(
        default=None, description="TOML file of hashed write tokens (bigmap-kg token add)")
    read_access: Literal["open", "token"] = Field(
        default="open", description="'open': anyone may read; 'token': reads need a valid token too")
    query_timeout: float = Field(default=30.0, gt=0,
                                 description="seconds after which a SPARQL query is ended")
    result_limit: int = Field(default=100_000, gt=0,
                              description="most rows (or triples) one SPARQL answer may hold")
    max_upload_bytes: int = Field(default=20_000_000, gt=0,
                                  description="largest request body accepted for uploads")
    query_workers: int = Field(default=4, ge=1,
                               description="SPARQL queries evaluated at the same time")
    allow_service: bool = Field(
        default=False, description="let /sparql queries call other endpoints (SERVICE)")
    jsonld_contexts: dict[str, Path] = Field(
        default_factory=dict,
        description="local copies of remote JSON-LD contexts for imports (URL -> file), e.g. the "
                    "BattINFO Converter's https://w3id.org/emmo/domain/battery/context")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = config_file()
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)
