"""Which functions a user may invoke: every export except the update protocol's snapshot functions."""

from __future__ import annotations

import pytest

from domain.model.functions import ProtocolFunction, check_invocable, invocable_functions, is_invocable
from domain.model.types import ComponentDescription, FunctionSignature, ListType, Param, Primitive

GET = FunctionSignature("golem:component/api", "get", (), Primitive("u64"))
TOP = FunctionSignature(None, "run", ())
SAVE = FunctionSignature("golem:api/save-snapshot@1.1.0", "save", (), ListType(Primitive("u8")))
LOAD = FunctionSignature("golem:api/load-snapshot@1.1.0", "load", (Param("bytes", ListType(Primitive("u8"))),))
DESCRIPTION = ComponentDescription((GET, TOP, SAVE, LOAD), (), (), SAVE.interface, LOAD.interface)


def test_the_snapshot_functions_are_not_invocable_and_the_others_are():
    assert [is_invocable(f) for f in (GET, TOP, SAVE, LOAD)] == [True, True, False, False]
    assert invocable_functions(DESCRIPTION) == (GET, TOP)


@pytest.mark.parametrize(
    "name", ["golem:api/load-snapshot@1.1.0.{load}", "golem:api/load-snapshot.{load}", "load", "save"]
)
def test_a_name_that_can_only_mean_a_snapshot_function_is_refused_in_one_line(name):
    with pytest.raises(ProtocolFunction) as e:
        check_invocable(DESCRIPTION, name, "counter/w1")
    message = str(e.value)
    assert "is part of the update protocol and cannot be invoked directly" in message
    assert "worker update counter/w1 manual" in message and "\n" not in message


@pytest.mark.parametrize("name", ["get", "golem:component/api.{get}", "run", "nope"])
def test_other_names_pass_and_are_resolved_by_the_invocation_itself(name):
    check_invocable(DESCRIPTION, name, "counter/w1")


def test_a_bare_name_shared_with_an_invocable_function_is_left_to_the_invocation():
    own_load = FunctionSignature("my:app/api", "load", ())
    both = ComponentDescription((own_load, LOAD), (), (), None, LOAD.interface)
    check_invocable(both, "load", "counter/w1")
