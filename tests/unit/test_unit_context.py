"""core.context: the global run every thread sees, and the local run of a step, private to its thread/task."""

from __future__ import annotations

import threading

import pytest

from lineagedb.core import context


@pytest.fixture
def global_run():
    """A stand-in global run (any object: the accessor never looks inside), restored afterwards."""
    previous = context.get_global_run()
    run = object()
    context.set_run(run)
    yield run
    context.set_run(previous)


def test_the_global_run_is_the_active_one_outside_steps(global_run):
    assert context.get_run() is global_run
    assert context.get_global_run() is global_run


def test_a_local_run_shadows_the_global_one_for_its_block_only(global_run):
    step = object()
    with context.local_run(step) as active:
        assert active is step
        assert context.get_run() is step
        assert context.get_global_run() is global_run
        with context.local_run(None):  # a block that runs outside any run
            assert context.get_run() is None
        assert context.get_run() is step
    assert context.get_run() is global_run


def test_the_local_run_is_restored_when_the_block_raises(global_run):
    with pytest.raises(KeyError), context.local_run(object()):
        raise KeyError("x")
    assert context.get_run() is global_run


def test_threads_see_the_global_run_not_another_threads_step(global_run):
    seen = {}
    inside, release = threading.Event(), threading.Event()

    def step_thread():
        with context.local_run("step-run"):
            inside.set()
            release.wait(10)
            seen["step"] = context.get_run()

    def other_thread():
        inside.wait(10)
        seen["other"] = context.get_run()
        release.set()

    threads = [threading.Thread(target=step_thread), threading.Thread(target=other_thread)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == {"step": "step-run", "other": global_run}

