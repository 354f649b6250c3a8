"""The sandbox's call hooks: a callback runs once, at the Nth matching call, before the
call is answered or after its answer is stored, so tests can commit a sale at an exact
point between two of the engine's calls."""

from __future__ import annotations

import json

import pytest

from brcc_core.sandbox.app import SandboxApp
from brcc_core.sandbox.faults import Faults
from brcc_core.sandbox.web import Request, Response, Service


class Counter(Service):
    """A service whose state is one number: GET reads it, PUT adds one."""

    name = "counter"
    prefix = "/counter/"

    def __init__(self) -> None:
        self.value = 0

    def handle(self, request: Request, conn) -> Response:
        if request.method == "PUT":
            self.value += 1
        return Response.json({"value": self.value})

    def error(self, status: int, code: str, message: str) -> Response:
        return Response.json({"code": code}, status=status)


@pytest.fixture
def app(engine) -> SandboxApp:
    return SandboxApp(engine, [Counter()], Faults())


def call(app: SandboxApp, method: str) -> int:
    response, _ = app.dispatch(Request.build(method, "/counter/x", "", {}, b""))
    return json.loads(response.body)["value"]


@pytest.mark.parametrize("when, seen", [("before", 1), ("after", 2)])
def test_a_hook_runs_once_at_the_nth_matching_call(app, when, seen):
    service = app.services[0]
    observed: list[int] = []
    app.faults.on_call(
        "counter", lambda: observed.append(service.value), when=when, nth=2, method="PUT"
    )
    call(app, "GET")  # not a PUT: not counted
    call(app, "PUT")  # the first PUT
    assert observed == []
    call(app, "PUT")  # the second: the hook runs
    assert observed == [seen]
    call(app, "PUT")
    assert observed == [seen]  # once only


def test_clear_forgets_hooks(app):
    ran: list[int] = []
    app.faults.on_call("counter", lambda: ran.append(1))
    app.faults.clear()
    call(app, "GET")
    assert ran == []
