"""Background work (import, export, warming the tokenizer) on one worker thread.

The worker never touches a widget: progress and results travel to the GUI thread as queued signals,
and the callbacks given to `submit` run there. One worker keeps database writes in order.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from annotator.errors import AnnotatorError

ProgressCallback = Callable[[int, int, str], None]
# Work that first imports spaCy (~0.7 s holding the GIL) starts this long after the window was first shown, so that
# the window paints first and a quit right after start-up does not wait for it.
AFTER_FIRST_PAINT_MS = 400


class Task:
    """Handed to the work function: report progress, ask whether the user cancelled."""

    def __init__(self, runner: TaskRunner, name: str, on_done: Callable[[Any], None] | None,
                 on_error: Callable[[AnnotatorError], None] | None, on_progress: ProgressCallback | None) -> None:
        self.name = name
        self._runner = runner
        self._cancel = threading.Event()
        self.on_done = on_done
        self.on_error = on_error
        self.on_progress = on_progress
        self.future: Future[Any] | None = None

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def report(self, done: int, total: int, text: str = "") -> None:
        """Called on the worker thread; the GUI hears it through a queued signal."""
        self._runner._relay.progressed.emit(self, done, total, text)


class _Relay(QObject):
    progressed = Signal(object, int, int, str)
    finished = Signal(object, object, object)  # task, result, exception


class TaskRunner(QObject):
    task_finished = Signal(str)  # the task's name, after its callbacks ran

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="annotator-worker")
        self._relay = _Relay(self)
        queued = Qt.ConnectionType.QueuedConnection
        self._relay.progressed.connect(self._on_relay_progressed, queued)
        self._relay.finished.connect(self._on_relay_finished, queued)
        self._running: set[Task] = set()
        self._shut_down = False

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def submit(self, name: str, work: Callable[[Task], Any], *, on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[AnnotatorError], None] | None = None,
               on_progress: ProgressCallback | None = None) -> Task:
        task = Task(self, name, on_done, on_error, on_progress)
        if self._shut_down:  # the window is closing: a late timer's work is simply not done
            task.cancel()
            return task
        self._running.add(task)

        def run() -> None:
            try:
                result = work(task)
            except BaseException as e:  # delivered to the GUI thread, which decides what to show
                self._relay.finished.emit(task, None, e)
            else:
                self._relay.finished.emit(task, result, None)

        task.future = self._executor.submit(run)
        return task

    def shutdown(self) -> None:
        self._shut_down = True
        for task in self._running:
            task.cancel()
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _on_relay_progressed(self, task: Task, done: int, total: int, text: str) -> None:
        if task.on_progress is not None and task in self._running:
            task.on_progress(done, total, text)

    def _on_relay_finished(self, task: Task, result: Any, error: BaseException | None) -> None:
        self._running.discard(task)
        try:
            if error is None:
                if task.on_done is not None:
                    task.on_done(result)
            elif isinstance(error, AnnotatorError) and task.on_error is not None:
                task.on_error(error)
            else:
                # Unexpected: the excepthook logs it and shows a plain dialog.
                sys.excepthook(type(error), error, error.__traceback__)
        finally:
            self.task_finished.emit(task.name)
