"""Finishing a plan (feeds, search index, sitemap) after the pages are served: in a background
thread, and there in a forked process that a newer rebuild can kill.

At 10,000 articles these outputs take seconds, mostly the search index. In a thread they
would halve the speed of the next rebuild (the GIL), and a thread cannot be stopped; a
child process runs on the other core and is killed the moment a save makes its result
useless. The child sends back what the extra planners added, made whole: produced files
as their text, template pages as their context without the site (the parent has that).
"""

from __future__ import annotations

import functools
import os
import pickle
import signal
import threading
from dataclasses import dataclass
from typing import Any, Callable, Generic, Sequence, TypeVar

from digest.errors import BuildFailed, Problem
from digest.plan.pages import PageJob, PageSpec, PlannedPages, Planner


@dataclass(frozen=True, slots=True)
class _Made:
    path: str
    spec: PageSpec  # with its callables replaced: produce by the text, inputs by the hash
    text: str | None
    inputs: str
    context: dict[str, Any]  # without "site"


T = TypeVar("T")


class Finisher(Generic[T]):
    """One background thread that finishes plans, always the newest one handed to it."""

    def __init__(self, finish: Callable[[T], None]) -> None:
        self._finish = finish
        self._cond = threading.Condition()
        self._next: T | None = None
        self._closed = False
        self._thread: threading.Thread | None = None

    def submit(self, state: T) -> None:
        with self._cond:
            self._next = state  # an older one not started yet is skipped: its site is gone
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="digest-plan", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._next is not None or self._closed)
                if self._closed:
                    return
                state, self._next = self._next, None
            assert state is not None
            self._finish(state)


class _Unsendable(Exception):
    """The child made something it cannot pickle: the parent finishes the plan itself."""


def _export(planner: Planner, before: set[str]) -> list[_Made]:
    made = []
    jobs = planner.jobs
    assert isinstance(jobs, PlannedPages)
    for path in list(jobs):
        if path in before:
            continue
        job = jobs[path]
        text = job.produce() if job.produce is not None else None
        context = {k: v for k, v in job.context.items() if k != "site"}
        spec = jobs.spec(path)._replace(inputs=(), produce=None, context={})
        made.append(_Made(path, spec, text, job.inputs, context))
    return made


def _import(planner: Planner, made: list[_Made]) -> None:
    jobs = planner.jobs
    assert isinstance(jobs, PlannedPages)
    for item in made:
        produce = None if item.text is None else functools.partial(str, item.text)
        context = {"site": planner.site_context, **item.context}
        job = PageJob(item.spec.url, item.path, item.spec.template, context, item.inputs, item.spec.origin, produce)
        jobs.put(item.path, item.spec._replace(produce=produce, context=item.context), job)


class ForkedFinisher:
    """Runs the pipeline's ``plan_outputs`` for a planner in a child process; ``cancel`` kills it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._child: int | None = None
        self._cancelled = False

    def cancel(self) -> None:
        """Kill the child working on a plan that a newer rebuild makes useless, if there is one."""
        with self._lock:
            if self._child is not None:
                self._cancelled = True
                try:
                    os.kill(self._child, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def finish(self, planner: Planner, plan_outputs: Callable[[Planner], None]) -> bool:
        """Finish ``planner``'s plan; False if cancelled. ``BuildFailed`` as ``plan_outputs`` raises it."""
        before = set(planner.jobs)
        read, write = os.pipe()
        with self._lock:
            pid = os.fork()
            if pid == 0:  # the child: never returns
                self._child_main(planner, plan_outputs, before, read, write)
            self._child = pid
        os.close(write)
        chunks = []
        try:
            while True:
                chunk = os.read(read, 1 << 20)  # the GIL is released while the child works
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            os.close(read)
            os.waitpid(pid, 0)
            with self._lock:
                self._child = None
                cancelled, self._cancelled = self._cancelled, False
        if cancelled or not chunks:
            return False
        outcome = pickle.loads(b"".join(chunks))
        if isinstance(outcome, _Unsendable):
            plan_outputs(planner)
            return True
        if isinstance(outcome, BaseException):
            raise outcome
        made, problems = outcome
        _import(planner, made)
        if problems:
            raise BuildFailed(problems)
        return True

    @staticmethod
    def _child_main(
        planner: Planner, plan_outputs: Callable[[Planner], None], before: set[str], read: int, write: int,
    ) -> None:
        code = 0
        try:
            os.close(read)
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which kills us
            problems: list[Problem] = []
            try:
                plan_outputs(planner)
            except BuildFailed as exc:
                problems = list(exc.problems)
            outcome: object = (_export(planner, before), problems)
            try:
                data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # noqa: BLE001 - something unpicklable: the parent finishes in-process
                data = pickle.dumps(_Unsendable(str(exc)))
            view = memoryview(data)
            while view:
                view = view[os.write(write, view) :]
        except BaseException as exc:  # noqa: BLE001 - report, never run the parent's code in the child
            try:
                os.write(write, pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}")))
            except BaseException:  # noqa: BLE001
                code = 1
        finally:
            os._exit(code)
