"""The FastAPI application: ``create_app(settings)``; ``castwatch serve`` runs it with uvicorn.

Every route checks the caller's bearer token, and every object it reads or writes is looked
up among those the caller's organisation owns or has been shared: any other answers 404.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from pydantic import BaseModel, Field

from castwatch import __version__
from castwatch.accounts import actions
from castwatch.accounts.model import Access, Principal, ShareLevel
from castwatch.config import Settings
from castwatch.errors import AccessError, InvalidLogin, NotFound
from castwatch.server import problems
from castwatch.server.guards import Guards
from castwatch.storage.db import Store

API = "/api/v1"
MAX_PAGE = 500


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def caller(request: Request) -> Principal:
    """The principal behind ``Authorization: Bearer TOKEN``; 401 without a valid one."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidLogin("an API token is needed: Authorization: Bearer TOKEN")
    return actions.authenticate_token(_store(request), token.strip())


def writer(principal: Annotated[Principal, Depends(caller)]) -> Principal:
    if not principal.can_write:
        why = "a viewer's" if principal.role.value == "viewer" else "a read-only token's"
        raise AccessError(f"{why} requests may only read")
    return principal


Caller = Annotated[Principal, Depends(caller)]
Writer = Annotated[Principal, Depends(writer)]
StoreDep = Annotated[Store, Depends(_store)]


class Page(BaseModel):
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


def page(
    items: Iterable[dict[str, Any]],
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=1 << 31)] = 0,
) -> Page:
    everything = list(items)
    return Page(items=everything[offset : offset + limit], total=len(everything), limit=limit,
                offset=offset)  # fmt: skip


class Paging(BaseModel):
    limit: int = Field(50, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=1 << 31)


PagingDep = Annotated[Paging, Depends()]


class NewCase(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    services: list[str] = Field(default_factory=list, max_length=100)
    assignee: str | None = Field(None, max_length=200)


class Share(BaseModel):
    organisation: str = Field(min_length=1, max_length=200)
    level: ShareLevel


def _visible_case(store: Store, principal: Principal, case_id: int) -> Access:
    access = actions.case_access(store, principal).get(case_id)
    if access is None:
        raise NotFound(f"no case {case_id}")
    return access


def _case_document(case: Any, access: Access) -> dict[str, Any]:
    document: dict[str, Any] = case.as_dict()
    document["access"] = access.value
    if access is Access.SUMMARY:
        # The case and its findings; evidence and notices are for owners and full shares.
        document["events"] = [
            event for event in document["events"] if event["kind"] not in ("evidence", "notice")
        ]
        document.pop("evidence", None)
        document.pop("notices", None)
    return document


def _owned(store: Store, principal: Principal, kind: str, key: str) -> None:
    if key not in actions.owned_keys(store, principal, kind):
        raise NotFound(f"no {kind} {key!r}")


def create_app(settings: Settings) -> FastAPI:
    """The API over the data directory or database ``settings`` names."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = Store.open(settings)
        try:
            yield
        finally:
            app.state.store.close()

    app = FastAPI(
        title="castwatch",
        version=__version__,
        description="The coalition server: each member sees its own data and what is shared.",
        lifespan=lifespan,
    )
    problems.install(app)
    app.add_middleware(Guards)
    _routes(app)
    return app


def _routes(app: FastAPI) -> None:
    @app.get(f"{API}/me")
    def me(principal: Caller) -> dict[str, Any]:
        return {
            "email": principal.email,
            "organisation": principal.organisation,
            "role": principal.role.value,
            "scope": principal.scope.value,
        }

    @app.get(f"{API}/services", response_model=Page)
    def services(principal: Caller, store: StoreDep, paging: PagingDep) -> Page:
        from castwatch.sources.inventory_views import list_services

        owned = actions.owned_keys(store, principal, "service")
        listings = [s.to_dict() for s in list_services(store) if s.name in owned]
        return page(listings, paging.limit, paging.offset)

    @app.get(f"{API}/services/{{name}}")
    def service(name: str, principal: Caller, store: StoreDep) -> dict[str, Any]:
        from castwatch.sources.inventory_views import list_services

        _owned(store, principal, "service", name)
        found = [s.to_dict() for s in list_services(store) if s.name == name]
        if not found:
            raise NotFound(f"no service {name!r}")
        return found[0]

    @app.get(f"{API}/cases", response_model=Page)
    def cases(principal: Caller, store: StoreDep, paging: PagingDep) -> Page:
        from castwatch.enforce.cases import list_cases

        seen = actions.case_access(store, principal)
        listed = [
            {k: v for k, v in _case_document(case, seen[case.id]).items() if k != "events"}
            for case in list_cases(store)
            if case.id in seen
        ]
        return page(listed, paging.limit, paging.offset)

    @app.post(f"{API}/cases", status_code=201)
    def open_case(body: NewCase, principal: Writer, store: StoreDep) -> dict[str, Any]:
        from castwatch.enforce import cases

        owned = actions.owned_keys(store, principal, "service")
        for name in body.services:
            if name not in owned:
                raise NotFound(f"no service {name!r}")
        case = cases.open_case(store, body.name, body.services, body.assignee)
        actions.assign(store, principal.organisation, "case", case.id)
        return _case_document(case, Access.OWNER)

    @app.get(f"{API}/cases/{{case_id}}")
    def case(case_id: int, principal: Caller, store: StoreDep) -> dict[str, Any]:
        from castwatch.enforce.cases import show_case

        access = _visible_case(store, principal, case_id)
        return _case_document(show_case(store, str(case_id)), access)

    @app.post(f"{API}/cases/{{case_id}}/share")
    def share(case_id: int, body: Share, principal: Writer, store: StoreDep) -> dict[str, Any]:
        actions.share_case(store, principal, case_id, body.organisation, body.level)
        return {"case": case_id, "organisation": body.organisation, "level": body.level.value}

    @app.get(f"{API}/jobs/{{job_id}}")
    def job(job_id: int, principal: Caller, store: StoreDep) -> dict[str, Any]:
        from castwatch.jobs.queue import list_jobs

        _owned(store, principal, "job", str(job_id))
        found = list_jobs(store, job_ids=[job_id])
        if not found:
            raise NotFound(f"no job {job_id}")
        return found[0].to_dict()


def app_from_env() -> FastAPI:
    """The app for ``CASTWATCH_HOME`` / ``CASTWATCH_DB``: uvicorn's factory when it runs
    several worker processes (``castwatch serve --workers N``)."""
    return create_app(Settings.resolve())
