"""Environments and deployments: deploy a registry version with a traffic policy, promote a
canary, roll back, stop, approve, and read per-variant results."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any, Iterator, cast

from .errors import NotFoundError
from .models import Deployment, Environment

if TYPE_CHECKING:
    from .client import Client


class DeploymentsResource:
    """`project.deployments`: the project's environments and what runs in them."""

    def __init__(self, client: Client, project_base: str) -> None:
        self._client = client
        self._project = project_base

    # -- environments ---------------------------------------------------------------------------
    def environments(self, *, search: str | None = None, states: str | None = None) -> Iterator[Environment]:
        params = {k: v for k, v in {"search": search, "states": states}.items() if v is not None}
        return cast(Iterator[Environment], self._client._http().pages(f"{self._project}/environments", params))

    def environment(self, name_or_id: str | int) -> Environment:
        if isinstance(name_or_id, int):
            return cast(Environment, self._client._http().json("GET", f"{self._project}/environments/{name_or_id}"))
        for env in self._client._http().pages(f"{self._project}/environments", {"name": name_or_id}):
            return self.environment(cast(Environment, env)["id"])
        raise NotFoundError(404, f"no environment named {name_or_id!r}", method="GET", url=self._client._transport.absolute(f"{self._project}/environments"))

    def create_environment(self, name: str, **fields: Any) -> Environment:
        """tier, external_url, agent_labels, timeout_ms, command."""
        return cast(Environment, self._client._http().json("POST", f"{self._project}/environments", json={"name": name, **fields}))

    def _environment_id(self, environment: str | int) -> int:
        return environment if isinstance(environment, int) else self.environment(environment)["id"]

    def promote(self, environment: str | int, reason: str | None = None) -> Deployment:
        """The canary's next step now, without waiting for its gates."""
        return self._post(environment, "promote", {"reason": reason} if reason else {})

    def rollback(self, environment: str | int, reason: str) -> Deployment:
        """Back to the previous successful deployment's versions and policy."""
        return self._post(environment, "rollback", {"reason": reason})

    def stop(self, environment: str | int, *, force: bool = False) -> Environment:
        return cast(Environment, self._client._http().json("POST", f"{self._project}/environments/{self._environment_id(environment)}/stop", json={"force": True} if force else {}))

    def results(self, environment: str | int) -> dict[str, Any]:
        """Per-variant requests, errors, latency, rewards and the probability each is best."""
        return cast(dict[str, Any], self._client._http().json("GET", f"{self._project}/environments/{self._environment_id(environment)}/results"))

    def traffic(self, environment: str | int) -> builtins.list[dict[str, Any]]:
        """How the environment's traffic is split now: its current deployment's variants (name,
        model, version, role, weight), as `modelyard traffic` shows them; empty before a deployment."""
        detail = cast(dict[str, Any], self.environment(environment))
        current = detail.get("current_deployment")
        return cast(builtins.list[dict[str, Any]], current["variants"]) if current else []

    def feedback(self, environment: str, subject: str, value: float) -> dict[str, Any]:
        """A subject's reward (0/1 or any number), counted for the variant the gateway assigns that
        subject, for the A/B results; answers that variant and its deployment."""
        project = self._project.rsplit("/", 1)[1]
        return cast(dict[str, Any], self._client._http().json("POST", f"/serving/{project}/{environment}/feedback", json={"subject": subject, "value": value}))

    def _post(self, environment: str | int, action: str, body: dict[str, Any]) -> Deployment:
        return cast(Deployment, self._client._http().json("POST", f"{self._project}/environments/{self._environment_id(environment)}/{action}", json=body))

    # -- deployments ----------------------------------------------------------------------------
    def list(self, *, environment: str | None = None, status: str | None = None) -> Iterator[Deployment]:
        params = {k: v for k, v in {"environment": environment, "status": status, "order_by": "id", "sort": "desc"}.items() if v is not None}
        return cast(Iterator[Deployment], self._client._http().pages(f"{self._project}/deployments", params))

    def get(self, deployment_id: int) -> Deployment:
        return cast(Deployment, self._client._http().json("GET", f"{self._project}/deployments/{deployment_id}"))

    def deploy(self, environment: str, model: str, version: str | int | None = None, *, policy: dict[str, Any] | None = None, variants: builtins.list[dict[str, Any]] | None = None, reason: str | None = None, tier: str | None = None) -> Deployment:
        """Deploys a version (number, semantic version or alias) with a traffic policy.

        `policy`: {"kind": "single"} (the default), {"kind": "canary", "steps": [10, 50, 100], ...},
        {"kind": "ab", ...} or shadow variants, as docs/deployments.md describes. An A/B deployment
        names its versions in `variants` (each with its weight) instead of `version`.
        """
        body: dict[str, Any] = {"environment": environment, "model": model}
        if version is not None:
            body["version"] = str(version)
        for key, value in (("policy", policy), ("variants", variants), ("reason", reason), ("tier", tier)):
            if value is not None:
                body[key] = value
        return cast(Deployment, self._client._http().json("POST", f"{self._project}/deployments", json=body))

    def approve(self, deployment_id: int, comment: str | None = None) -> dict[str, Any]:
        return self._decide(deployment_id, "approved", comment)

    def reject(self, deployment_id: int, comment: str | None = None) -> dict[str, Any]:
        return self._decide(deployment_id, "rejected", comment)

    def _decide(self, deployment_id: int, status: str, comment: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {"status": status}
        if comment:
            body["comment"] = comment
        return cast(dict[str, Any], self._client._http().json("POST", f"{self._project}/deployments/{deployment_id}/approval", json=body))


