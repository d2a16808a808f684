"""The API over real HTTP: tokens, problem documents, guards, and each organisation's data
kept to itself (another organisation's object answers 404, exactly like a missing one)."""

from __future__ import annotations

import pytest

from tests.server.conftest import World

ROLES = ("admin", "investigator", "viewer")


def test_no_or_bad_token_is_401_problem(world: World) -> None:
    for headers in ({}, {"Authorization": "Bearer cw_000000000000_" + "A" * 43},
                    {"Authorization": "Basic abc"}):  # fmt: skip
        with world.client(None) as anonymous:
            answer = anonymous.get("/api/v1/services", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["www-authenticate"] == "Bearer"
        assert answer.json()["status"] == 401 and answer.json()["detail"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("scope", ["read", "write"])
def test_each_organisation_sees_only_its_own(world: World, role: str, scope: str) -> None:
    with world.client(f"alpha-{role}-{scope}") as alpha:
        me = alpha.get("/api/v1/me").json()
        assert (me["organisation"], me["role"], me["scope"]) == ("alpha", role, scope)
        services = alpha.get("/api/v1/services").json()
        assert [s["name"] for s in services["items"]] == ["alpha-panel"]
        assert alpha.get("/api/v1/services/alpha-panel").status_code == 200
        cases = alpha.get("/api/v1/cases").json()["items"]
        assert [c["name"] for c in cases] == ["op-alpha"]
        assert alpha.get(f"/api/v1/cases/{world.case_a}").json()["access"] == "owner"
        # Another organisation's objects and missing ones answer the same 404.
        other = alpha.get(f"/api/v1/cases/{world.case_b}")
        missing = alpha.get("/api/v1/cases/999999")
        assert other.status_code == missing.status_code == 404
        assert other.json()["detail"] == f"no case {world.case_b}"
        assert alpha.get("/api/v1/services/beta-panel").status_code == 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("scope", ["read", "write"])
def test_writes_need_a_write_token_and_a_role_that_writes(
    world: World, role: str, scope: str
) -> None:
    allowed = scope == "write" and role != "viewer"
    with world.client(f"alpha-{role}-{scope}") as alpha:
        made = alpha.post("/api/v1/cases", json={"name": f"op-{role}-{scope}",
                                                 "services": ["alpha-panel"]})  # fmt: skip
        assert made.status_code == (201 if allowed else 403), made.text
        if allowed:
            assert made.json()["id"] > 0 and made.json()["services"] == ["alpha-panel"]
            assert alpha.get(f"/api/v1/cases/{made.json()['id']}").status_code == 200
        # A case on another organisation's service: that service does not exist for alpha.
        foreign = alpha.post("/api/v1/cases", json={"name": "x", "services": ["beta-panel"]})
        assert foreign.status_code == (404 if allowed else 403)


def test_sharing_a_case_at_summary_then_full(world: World) -> None:
    with (
        world.client("alpha-investigator-write") as alpha,
        world.client("beta-viewer-read") as beta,
    ):
        url = f"/api/v1/cases/{world.case_a}"
        assert beta.get(url).status_code == 404
        shared = alpha.post(f"{url}/share", json={"organisation": "beta", "level": "summary"})
        assert shared.status_code == 200, shared.text
        seen = beta.get(url).json()
        assert seen["access"] == "summary" and "evidence" not in seen
        assert [c["name"] for c in beta.get("/api/v1/cases").json()["items"]] == [
            "op-alpha", "op-beta",
        ]  # fmt: skip
        alpha.post(f"{url}/share", json={"organisation": "beta", "level": "full"})
        assert beta.get(url).json()["access"] == "full"
        # beta may see alpha's case but not share it onwards, nor alpha share beta's.
        with world.client("beta-admin-write") as beta_admin:
            again = beta_admin.post(f"{url}/share", json={"organisation": "beta",
                                                          "level": "full"})  # fmt: skip
            assert again.status_code == 404
        theirs = alpha.post(f"/api/v1/cases/{world.case_b}/share",
                            json={"organisation": "alpha", "level": "full"})  # fmt: skip
        assert theirs.status_code == 404


def test_hostile_requests_get_bounded_problems(world: World) -> None:
    with world.client("alpha-admin-write") as alpha:
        huge = alpha.post("/api/v1/cases", content=b"{" + b" " * (2 << 20) + b"}",
                          headers={"content-type": "application/json"})  # fmt: skip
        assert huge.status_code == 413
        broken = alpha.post("/api/v1/cases", content=b'{"name": ',
                            headers={"content-type": "application/json"})  # fmt: skip
        assert broken.status_code == 422
        assert broken.headers["content-type"] == "application/problem+json"
        assert alpha.get("/api/v1/services?limit=100000").status_code == 422
        assert alpha.get("/api/v1/" + "x" * 10000).status_code == 414
        level = alpha.post(f"/api/v1/cases/{world.case_a}/share",
                           json={"organisation": "beta", "level": "everything"})  # fmt: skip
        assert level.status_code == 422 and "level" in level.json()["detail"]
        answer = alpha.get("/api/v1/me")
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]


def test_openapi_lists_the_routes(world: World) -> None:
    with world.client(None) as anonymous:
        document = anonymous.get("/openapi.json").json()
    assert {"/api/v1/cases", "/api/v1/cases/{case_id}/share", "/api/v1/jobs/{job_id}"} <= set(
        document["paths"]
    )
