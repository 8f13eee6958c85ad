"""A project and what lives in it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, cast
from urllib.parse import quote

from .deployments import DeploymentsResource
from .imports import ImportsResource
from .models import Experiment, Member, Project, ProjectAccessToken, Run, RunsPage
from .packages import PackagesResource
from .pipelines import PipelinesResource
from .registry import ModelsResource

if TYPE_CHECKING:
    from .client import Client


class ProjectResource:
    """`client.project(id_or_path)`: its settings, members, tokens, runs, registry, imports, packages, pipelines and deployments."""

    def __init__(self, client: Client, key: int | str, info: Project | None = None) -> None:
        self._client = client
        self.key = key
        self._info = info
        self.base = f"/api/v4/projects/{key}"
        self.models = ModelsResource(client, self.base)
        self.packages = PackagesResource(client, self.base)
        self.pipelines = PipelinesResource(client, self.base)
        self.deployments = DeploymentsResource(client, self.base)
        self.imports = ImportsResource(client, self.base)

    def __repr__(self) -> str:
        return f"<Project {self.key}>"

    def info(self) -> Project:
        self._info = cast(Project, self._client._http().json("GET", self.base))
        return self._info

    @property
    def id(self) -> int:
        if isinstance(self.key, int):
            return self.key
        return (self._info or self.info())["id"]

    def update(self, **fields: Any) -> Project:
        """name, path, description, visibility."""
        self._info = cast(Project, self._client._http().json("PUT", self.base, json=fields))
        return self._info

    def delete(self) -> None:
        self._client._http().json("DELETE", self.base)

    # -- members and tokens -----------------------------------------------------------------
    def members(self) -> Iterator[Member]:
        return cast(Iterator[Member], self._client._http().pages(f"{self.base}/members"))

    def add_member(self, user_id: int, access_level: int) -> Member:
        """access_level: 10 guest, 20 reporter, 30 developer, 40 maintainer, 50 owner."""
        return cast(Member, self._client._http().json("POST", f"{self.base}/members", json={"user_id": user_id, "access_level": access_level}))

    def update_member(self, user_id: int, access_level: int) -> Member:
        return cast(Member, self._client._http().json("PUT", f"{self.base}/members/{user_id}", json={"access_level": access_level}))

    def remove_member(self, user_id: int) -> None:
        self._client._http().json("DELETE", f"{self.base}/members/{user_id}")

    def access_tokens(self) -> Iterator[ProjectAccessToken]:
        return cast(Iterator[ProjectAccessToken], self._client._http().pages(f"{self.base}/access_tokens"))

    def create_access_token(self, name: str, scopes: list[str], *, access_level: int = 30, expires_at: str | None = None) -> ProjectAccessToken:
        body: dict[str, Any] = {"name": name, "scopes": scopes, "access_level": access_level}
        if expires_at:
            body["expires_at"] = expires_at
        return cast(ProjectAccessToken, self._client._http().json("POST", f"{self.base}/access_tokens", json=body))

    def revoke_access_token(self, token_id: int) -> None:
        self._client._http().json("DELETE", f"{self.base}/access_tokens/{token_id}")

    # -- tracking (read; the MLflow client writes) ------------------------------------------
    def experiments(self, *, view_type: str | None = None) -> Iterator[Experiment]:
        return cast(Iterator[Experiment], self._client._http().pages(f"{self.base}/ml/experiments", {"view_type": view_type} if view_type else None))

    def runs(self, *, experiment_id: int | list[int] | None = None, filter: str | None = None, order_by: str | None = None, page_size: int = 100) -> Iterator[Run]:
        """Every run matching MLflow's search syntax (`metrics.loss < 0.5 and params.lr = '0.1'`), page by page.

        `experiment_id`: one or several (at most 100); by default every experiment of the project.
        """
        if experiment_id is None:
            ids = [e["id"] for e in self.experiments()]
            if len(ids) > 100:
                raise ValueError("the project has more than 100 experiments: name the ones to search (experiment_id=[...])")
        else:
            ids = experiment_id if isinstance(experiment_id, list) else [experiment_id]
        if not ids:
            return
        params: dict[str, Any] = {"max_results": page_size, "experiment_id": ids}
        for key, value in (("filter", filter), ("order_by", order_by)):
            if value is not None:
                params[key] = value
        while True:
            page = cast(RunsPage, self._client._http().json("GET", f"{self.base}/ml/runs", params=params))
            yield from page["runs"]
            token = page.get("next_page_token")
            if not token:
                return
            params["page_token"] = token

    def run(self, run_id: str) -> Run:
        return cast(Run, self._client._http().json("GET", f"{self.base}/ml/runs/{run_id}"))

    def metric_history(self, run_id: str, key: str) -> Iterator[dict[str, Any]]:
        """Every point of a run's metric, in step order, page by page."""
        params: dict[str, Any] = {}
        while True:
            page = self._client._http().json("GET", f"{self.base}/ml/runs/{run_id}/metrics/{quote(key, safe='')}/history", params=params)
            yield from page["points"]
            if not page.get("next_page_token"):
                return
            params["page_token"] = page["next_page_token"]
