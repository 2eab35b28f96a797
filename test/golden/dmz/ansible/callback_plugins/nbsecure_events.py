"""nbsecure rollout's view of a playbook run: one JSON object per line on stdout.

Events: stage (a play starts), start (a host begins its stage's steps), skip (it had none to run), host (a
task's result on a host; for the steps themselves, each step's outcome), stats (the recap). Ansible censors no_log results before
any callback sees them, and the nbsecure_steps module redacts what it returns: no secret reaches this view.
"""

import json
import sys

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: nbsecure_events
type: stdout
short_description: JSON lines for nbsecure rollout
description: One JSON object per line on stdout, for nbsecure rollout's progress view and report.
author: nbsecure
"""

STEPS_ACTIONS = ("nbsecure_steps", "nbsecure_steps_win")


def runs_steps(task):
    """A task that runs a host's steps (not the wave's tokens, which the same module makes on the primary)."""
    return task.action.endswith(STEPS_ACTIONS) and (task.args or {}).get("action", "run") == "run"


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "nbsecure_events"

    def __init__(self):
        super().__init__()
        self.stage = None

    def emit(self, event):
        sys.stdout.write(json.dumps(event, sort_keys=True) + "\n")
        sys.stdout.flush()

    def v2_playbook_on_play_start(self, play):
        self.stage = (play.get_vars() or {}).get("nbsecure_stage")
        self.emit({"event": "stage", "stage": self.stage, "name": play.get_name()})

    def v2_runner_on_start(self, host, task):
        if runs_steps(task):
            self.emit({"event": "start", "stage": self.stage, "host": host.get_name()})

    def _result(self, result, status):
        data = result._result
        event = {
            "event": "host",
            "stage": self.stage,
            "host": result._host.get_name(),
            "task": result._task.get_name(),
            "steps_task": runs_steps(result._task),
            "status": status,
            "changed": bool(data.get("changed")),
        }
        if "steps" in data:
            event["steps"] = data["steps"]
        if "awaiting" in data:
            event["awaiting"] = data["awaiting"]
        if status in ("failed", "unreachable"):
            event["msg"] = str(data.get("msg", ""))[:2000]
            for key in ("rc", "stdout", "stderr"):
                if key in data:
                    event[key] = data[key] if key == "rc" else str(data[key])[-2000:]
        self.emit(event)

    def v2_runner_on_ok(self, result):
        self._result(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result(result, "ignored" if ignore_errors else "failed")

    def v2_runner_on_skipped(self, result):
        # A start is said before the task's condition is known: a skipped steps task ends it.
        if runs_steps(result._task):
            self.emit({"event": "skip", "stage": self.stage, "host": result._host.get_name()})

    def v2_runner_on_unreachable(self, result):
        self._result(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        hosts = sorted(stats.processed.keys())
        self.emit({"event": "stats", "hosts": {h: stats.summarize(h) for h in hosts}})
