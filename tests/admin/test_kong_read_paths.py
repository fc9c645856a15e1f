"""Kong's nested read paths, tag filters and ``/tags`` on the admin API (DB-less, read-only)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from authgate.testing.gateway import Gateway


def _get(gateway: Gateway, path: str) -> httpx.Response:
    return httpx.get(gateway.admin + path, timeout=10)


def _names(page: dict[str, Any], field: str = "name") -> list[Any]:
    return [entity.get(field) for entity in page["data"]]


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("/services/echo/routes", ["bar", "closed"]),
        ("/services/other/routes", ["baz"]),
        ("/services/echo/plugins", []),
        ("/routes/closed/plugins", ["request-termination"]),
        ("/routes/bar/plugins", []),
        ("/consumers/alice/plugins", []),
        ("/services?tags=team-a", ["echo"]),
        ("/routes?tags=public", ["bar", "baz"]),
        ("/routes?tags=team-a,public", ["bar"]),
        ("/routes?tags=team-a/public", ["bar", "baz"]),
        ("/routes?tags=nobody", []),
    ],
)
def test_nested_lists_and_tag_filters(admin_gateway: Gateway, path: str, names: list[str]) -> None:
    response = _get(admin_gateway, path)
    assert response.status_code == 200, response.text
    assert _names(response.json()) == names
    assert response.json()["next"] is None


def test_a_parent_is_found_by_id_as_by_name(admin_gateway: Gateway) -> None:
    service = _get(admin_gateway, "/services/echo").json()
    by_id = _get(admin_gateway, f"/services/{service['id']}/routes").json()
    assert _names(by_id) == ["bar", "closed"]
    assert all(route["service"] == {"id": service["id"]} for route in by_id["data"])


@pytest.mark.parametrize(
    ("path", "field", "value"),
    [
        ("/services/echo/routes/bar", "name", "bar"),
        ("/routes/closed/plugins/maintenance", "instance_name", "maintenance"),
        ("/routes/bar/service", "name", "echo"),
        ("/routes/baz/service", "name", "other"),
    ],
)
def test_one_child_through_its_parent(
    admin_gateway: Gateway, path: str, field: str, value: str
) -> None:
    response = _get(admin_gateway, path)
    assert response.status_code == 200, response.text
    assert response.json()[field] == value


@pytest.mark.parametrize(
    "path",
    [
        "/services/nope/routes",
        "/services/other/routes/bar",  # bar exists, but belongs to echo
        "/routes/bar/plugins/maintenance",  # maintenance is closed's
        "/routes/nope/service",
        "/consumers/nobody/plugins",
        "/certificates/nope/snis",
        "/upstreams/nope/targets",
    ],
)
def test_missing_parents_and_foreign_children_are_404(admin_gateway: Gateway, path: str) -> None:
    response = _get(admin_gateway, path)
    assert response.status_code == 404
    assert response.json() == {"message": "Not found"}


def test_enabled_plugins(admin_gateway: Gateway) -> None:
    assert _get(admin_gateway, "/plugins/enabled").json() == {
        "enabled_plugins": ["request-termination"]
    }


def test_tags_lists_every_tagged_entity(admin_gateway: Gateway) -> None:
    rows = _get(admin_gateway, "/tags").json()["data"]
    tagged = {(row["entity_name"], row["tag"]) for row in rows}
    assert tagged == {
        ("services", "team-a"),
        ("routes", "team-a"),
        ("routes", "public"),
    }
    assert len(rows) == 4
    public = _get(admin_gateway, "/tags/public").json()["data"]
    bar = _get(admin_gateway, "/routes/bar").json()
    assert {row["entity_id"] for row in public} >= {bar["id"]}
    assert all(row["tag"] == "public" for row in public)


def test_next_links_keep_the_tag_filter(admin_gateway: Gateway) -> None:
    first = _get(admin_gateway, "/routes?tags=public&size=1").json()
    assert _names(first) == ["bar"]
    assert first["next"] == "/routes?tags=public&size=1&offset=1"
    second = _get(admin_gateway, first["next"]).json()
    assert _names(second) == ["baz"]
    assert second["next"] is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("tags=a,b/c", "invalid option (tags: cannot mix 'and' and 'or')"),
        ("tags=a,,b", "invalid option (tags: invalid filter syntax)"),
        ("tags=a,b,c,d,e,f", "invalid option (tags: cannot query more than 5 tags)"),
    ],
)
def test_bad_tag_filters_are_400(admin_gateway: Gateway, query: str, message: str) -> None:
    response = _get(admin_gateway, f"/routes?{query}")
    assert response.status_code == 400
    assert response.json() == {"message": message}
