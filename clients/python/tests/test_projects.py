"""Projects, members, project and personal access tokens, and pagination."""

from __future__ import annotations

import uuid

import pytest

import modelyard

from .conftest import Server


def test_projects_are_created_read_updated_listed_page_by_page_and_deleted(admin: modelyard.Client) -> None:
    prefix = f"listed-{uuid.uuid4().hex[:6]}"
    made = [admin.create_project(f"{prefix}-{i}", path=f"{prefix}-{i}") for i in range(3)]
    assert made[0].info()["path"] == f"{prefix}-0"
    assert admin.project(f"{prefix}-1").info()["id"] == made[1].id
    assert made[2].update(description="third")["description"] == "third"
    pages = list(admin._http().pages("/api/v4/projects", {"search": prefix}, per_page=2))
    assert sorted(p["path"] for p in pages) == [f"{prefix}-{i}" for i in range(3)]
    assert sorted(p["path"] for p in admin.projects(search=prefix)) == [f"{prefix}-{i}" for i in range(3)]
    made[2].delete()
    assert sorted(p["path"] for p in admin.projects(search=prefix)) == [f"{prefix}-0", f"{prefix}-1"]


def test_members_are_added_changed_and_removed(admin: modelyard.Client, server: Server, project: modelyard.projects.ProjectResource) -> None:
    user = server.create_user()
    assert project.add_member(user.id, 30)["access_level"] == 30
    assert project.update_member(user.id, 40)["access_level"] == 40
    assert user.id in [m["id"] for m in project.members()]
    project.remove_member(user.id)
    assert user.id not in [m["id"] for m in project.members()]
    with pytest.raises(modelyard.NotFoundError):
        project.remove_member(user.id)


def test_tokens_are_shown_once_and_work(admin: modelyard.Client, server: Server, project: modelyard.projects.ProjectResource) -> None:
    made = project.create_access_token("ci", ["read_api"], access_level=20)
    assert made["token"] and made["scopes"] == ["read_api"]
    assert "token" not in next(t for t in project.access_tokens() if t["id"] == made["id"])
    as_bot = modelyard.Client(server.url, made["token"])
    assert as_bot.project(project.id).info()["id"] == project.id
    project.revoke_access_token(made["id"])
    with pytest.raises(modelyard.AuthenticationError):
        modelyard.Client(server.url, made["token"]).project(project.id).info()

    user = server.create_user()
    mine = modelyard.Client(server.url, user.token).create_personal_token("laptop", ["read_api"], expires_at="2099-01-01")
    assert mine["expires_at"] == "2099-01-01"
    assert modelyard.Client(server.url, mine["token"]).whoami()["username"] == user.username
