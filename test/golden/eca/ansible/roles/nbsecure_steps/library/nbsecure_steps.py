#!/usr/bin/python
"""Runs one rollout stage of a host's nbsecure steps: the host's own script (the one the runbook shows, with
lib.sh), for that stage, and turns the events it writes into Ansible's changed / failed and results. It
interprets no step: what exists for the rollout alone (REST from here, the waves' tokens) is in
module_utils/nbsecure_rollout.py."""

import json
import os
import re
import shutil
import subprocess
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.nbsecure_rollout import (
    PrimaryWork,
    forget_secret_folders,
    private_folder,
    write_private,
)

DOCUMENTATION = r"""
module: nbsecure_steps
short_description: Run one rollout stage of a host's nbsecure script
description: Runs the host's own nbsecure script for one stage and reports each step's outcome.
options:
  action:
    description: >-
      run (a stage's steps); wave_tokens (on the primary: the tokens a wave's hosts wait for); wave_end (on the
      primary: delete them, and those a stopped run left); forget (remove the secrets folders a stopped run left).
    type: str
    choices: [run, wave_tokens, wave_end, forget]
    default: run
  script: {description: The host's script (plan --format sh), as text., type: str}
  stage: {description: The stage to run (prepare, media, clients, tighten, verify)., type: str}
  step_timeout: {description: Seconds one step's command may take before it is stopped., type: int, default: 600}
  steps:
    description: The host's steps as data (their titles, and the REST form of a person's step).
    type: list
    elements: dict
  token_wait:
    description: A step that needs a token nobody handed over waits for its wave's.
    type: bool
    default: false
  per_wave: {description: The rollout's tokens are made per wave of hosts., type: bool, default: false}
  wave:
    description: "wave_tokens: name, shared (hosts for one token), create (its step), reissue (host, words)."
    type: dict
  state_file: {description: The state kept beside the steps (done once, restarts owed)., type: path, required: true}
  host: {description: This host's inventory name; secrets folders an earlier run of it left are removed., type: str}
  token_file: {description: The rollout token captured on the primary (mode 0600)., type: path, required: true}
  secret_files: {description: Files holding the secrets steps hand over, by kind (token, passphrase)., type: dict}
  token_shape: {description: An authorization token's shape (a regular expression)., type: str, required: true}
  confirmed: {description: Manual steps a person has done., type: list, elements: str}
  reissue: {description: The token given is a reissue token., type: bool, default: false}
  api_key: {description: A NetBackup API key (never logged)., type: str}
  otp: {description: The one-time password for a change the primary holds (never logged)., type: str}
  api_url: {description: "The primary's REST API base, instead of https://PRIMARY:1556/netbackup.", type: str}
  facts: {description: "Facts read on the primary for the other hosts' steps (caFingerprint).", type: dict}
author: nbsecure
"""

# What no command inherits: the secrets the role's defaults read from the environment. The script gets its
# secrets in files, named by its own variables.
CHILD_SECRETS = ("NETBACKUP_APIKEY", "NBSECURE_API_KEY", "NBSECURE_TOKEN", "NBSECURE_PASSPHRASE", "NBSECURE_OTP")
FINGERPRINT = re.compile(r"(?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}")
MODULE_STATE = ("pending ", "wave-token ")
SECRET_FILE_VARS = {"token": "NBSECURE_TOKEN_FILE", "passphrase": "NBSECURE_PASSPHRASE_FILE"}


class Host(PrimaryWork):
    def __init__(self, module):
        self.m, self.p, self.check = module, module.params, module.check_mode
        self.token = re.compile(r"\b%s\b" % self.p["token_shape"])
        self.secrets = [read(f).strip() for f in (self.p["secret_files"] or {}).values()] + [self.p["api_key"] or ""]
        if not self.check:
            private_folder(module, os.path.dirname(self.p["state_file"]))
        self.state = read(self.p["state_file"]).splitlines()
        self.results, self.changed, self.facts = [], False, {}

    def redact(self, text):
        for s in self.secrets:
            if len(s) >= 4:
                text = text.replace(s, "[REDACTED]")
        return self.token.sub("[REDACTED]", text)

    def run(self, argv, session=False):
        env = {k: v for k, v in os.environ.items() if k not in CHILD_SECRETS}
        if session and self.p["api_key"]:
            env["NETBACKUP_APIKEY"] = self.p["api_key"]
        p = subprocess.run(argv, capture_output=True, text=True, check=False, env=env, stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout, p.stderr

    def save_state(self):
        # The script keeps its lines (owed, done once); this module its own (a held REST change, a wave's tokens).
        theirs = [x for x in read(self.p["state_file"]).splitlines() if not x.startswith(MODULE_STATE)]
        self.state = theirs + [x for x in self.state if x.startswith(MODULE_STATE)]
        if not self.check:
            write_private(self.p["state_file"], "".join(x + "\n" for x in self.state))

    def done(self, step, outcome, detail, **more):
        self.changed = self.changed or outcome == "changed"
        self.results.append(dict(id=step["id"], title=step.get("title", ""), outcome=outcome, detail=detail, **more))

    def fail(self, step, msg, stdout=""):
        # What the script printed goes with the failed step: the report finds NetBackup's status line in it.
        self.done(step, "failed", msg, **({"stdout": stdout} if stdout else {}))
        self.m.fail_json(msg="%s (%s): %s" % (step.get("title", ""), step["id"], msg), steps=self.results,
                         changed=self.changed)

    def wait(self, s, text):
        self.done(s, "manual", text)
        self.m.fail_json(msg="WAITING %s: %s" % (s["id"], text), nbsecure_manual=s["id"], steps=self.results,
                         changed=self.changed)

    def environment(self, folder):
        env = {k: v for k, v in os.environ.items() if k not in CHILD_SECRETS and not k.startswith("NBSECURE_")}
        flag = lambda on: "1" if on else ""  # noqa: E731
        env.update(NBSECURE_STAGE=self.p["stage"], NBSECURE_STATE_FILE=self.p["state_file"],
                   NBSECURE_TOKEN_OUT=self.p["token_file"], NBSECURE_EVENTS=os.path.join(folder, "events"),
                   NBSECURE_CHECK=flag(self.check), NBSECURE_REISSUE=flag(self.p["reissue"]),
                   NBSECURE_PER_WAVE=flag(self.p["per_wave"]),
                   NBSECURE_TOKEN_WAIT=flag(self.p["token_wait"] and not self.check),
                   NBSECURE_FACT_CAFINGERPRINT=self.fact("caFingerprint"), TMPDIR=folder,
                   NBSECURE_STEP_TIMEOUT=str(self.p["step_timeout"]))
        for kind, path in (self.p["secret_files"] or {}).items():
            if kind in SECRET_FILE_VARS and path:
                env[SECRET_FILE_VARS[kind]] = path
        if self.p["api_key"]:
            key = os.path.join(folder, "api-key")
            write_private(key, self.p["api_key"] + "\n")
            env.update(NBSECURE_API_KEY_FILE=key, NBSECURE_REST_API="1")
        return env

    def fact(self, name):
        value = (self.p["facts"] or {}).get(name) or ""
        return value.upper() if FINGERPRINT.fullmatch(value) else ""

    def stage(self):
        """The script, for the stage; again after a REST form this module ran, with that step confirmed."""
        steps = {s["id"]: s for s in self.p["steps"]}
        confirmed = list(self.p["confirmed"] or [])
        # The state folder is this module's own (private_folder): a link planted in it is replaced, never followed.
        for path in (self.p["state_file"], self.p["token_file"], self.p["token_file"] + ".retired"):
            if os.path.islink(path) and not self.check:
                os.unlink(path)
        folder = tempfile.mkdtemp(prefix="nbsecure-secrets-%s-" % (self.p["host"] or "step"))
        try:
            script = os.path.join(folder, "steps.sh")
            write_private(script, self.p["script"] + "\n")
            env = self.environment(folder)
            while True:
                env["NBSECURE_MANUAL_DONE"] = ",".join(confirmed)
                write_private(env["NBSECURE_EVENTS"], "")
                proc = subprocess.run(["bash", script], env=env, cwd=folder, capture_output=True, text=True,
                                      check=False, stdin=subprocess.DEVNULL)
                events = [json.loads(line) for line in read(env["NBSECURE_EVENTS"]).splitlines() if line.strip()]
                seen = {r["id"] for r in self.results}
                for e in events:
                    if e["type"] == "step-done" and e["step"] not in seen and e["outcome"] != "failed":
                        self.done(dict(steps.get(e["step"], {}), id=e["step"]), e["outcome"], e.get("detail", ""))
                    if e["type"] == "fact":
                        self.facts[e["name"]] = e["value"]
                    if e["type"] == "notice" and e.get("level") == "warning":
                        self.m.warn("%s: %s" % (e["step"], self.redact(e["text"])))
                last = events[-1] if events else {}
                rest = last.get("for") == "rest" and last["step"] in steps and last["step"] not in confirmed
                if proc.returncode == 4 and rest:
                    self.rest_step(steps[last["step"]])
                    # Done here: the script confirms it like a person's step, and asks for no REST form again.
                    confirmed.append(last["step"])
                    env["NBSECURE_REST_API"] = ""
                    continue
                return proc.returncode, last, self.redact(proc.stdout + proc.stderr)
        finally:
            self.save_state()
            shutil.rmtree(folder, ignore_errors=True)

    def report(self):
        code, last, output = self.stage()
        step = dict(self.p_step(last.get("step")))
        step["title"] = last.get("title") or step.get("title", "")
        if self.p["per_wave"] and not self.check:
            for s in self.p["steps"]:
                if s.get("perWave") and s.get("retires") and s["stage"] == self.p["stage"]:
                    left = self.end_wave_tokens(s["argv"]["words"][0])
                    self.results = [r for r in self.results if r["id"] != s["id"]]
                    self.done(s, "changed" if left else "unchanged",
                              "deleted %s, left by a wave" % ", ".join(left) if left else "no wave left a token")
        result = dict(changed=self.changed, steps=self.results, facts=self.facts, output=output[-4000:])
        if code == 0:
            return self.m.exit_json(**result)
        if code == 4 and last.get("for") in ("token", "reissue-token"):
            kind = "token" if last["for"] == "token" else "reissue"
            self.done(step, "waiting", "waits for its wave's %s token from the primary" % kind)
            result.update(steps=self.results, awaiting=dict(kind=kind, step=step["id"], token=last.get("command", [])))
            return self.m.exit_json(**result)
        if code == 4 and last.get("type") == "manual-needed":
            self.done(step, "manual", "a person must do this step")
            self.m.fail_json(msg="MANUAL %s: %s. %s When it is done, run again with -e '{\"nbsecure_confirmed\": "
                             "[\"%s\"]}'." % (step["id"], step["title"], " ".join(last.get("instructions", [])),
                                              step["id"]), nbsecure_manual=step["id"], **result)
        if code == 1 and last.get("outcome") == "failed":
            self.fail(step, last.get("detail", ""), stdout=output[-4000:])
        self.m.fail_json(msg="the script for %s stopped with exit status %d: %s" % (self.p["stage"], code,
                                                                                   output[-1000:]), **result)

    def p_step(self, step_id):
        return next((s for s in self.p["steps"] if s["id"] == step_id), {"id": step_id or "?"})


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except (OSError, TypeError):
        return ""


def main():
    module = AnsibleModule(
        argument_spec=dict(
            action=dict(type="str", default="run", choices=["run", "wave_tokens", "wave_end", "forget"]),
            script=dict(type="str", default=""), stage=dict(type="str", default=""),
            step_timeout=dict(type="int", default=600),
            host=dict(type="str", default=""), steps=dict(type="list", elements="dict", default=[]),
            token_wait=dict(type="bool", default=False), per_wave=dict(type="bool", default=False),
            wave=dict(type="dict", default={}), state_file=dict(type="path", required=True),
            token_file=dict(type="path", required=True), secret_files=dict(type="dict", default={}),
            token_shape=dict(type="str", required=True), confirmed=dict(type="list", elements="str", default=[]),
            reissue=dict(type="bool", default=False), api_key=dict(type="str", default="", no_log=True),
            otp=dict(type="str", default="", no_log=True), api_url=dict(type="str", default=""),
            facts=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    host = Host(module)
    in_use = module.params["secret_files"] or {}
    swept = 0 if module.check_mode else forget_secret_folders(module.params["host"], in_use)
    action = module.params["action"]
    if action == "forget":
        module.exit_json(changed=bool(swept), removed=swept)
    if action == "wave_tokens":
        # The tokens go to a file only its owner reads, which a no_log task hands on.
        tokens, made = host.wave_tokens()
        host.save_state()
        write_private(module.params["token_file"] + ".wave", json.dumps(tokens))
        module.exit_json(changed=host.changed, made=made)
    if action == "wave_end":
        deleted = host.end_wave_tokens(module.params["wave"]["nbcertcmd"])
        host.save_state()
        if os.path.exists(module.params["token_file"] + ".wave"):
            os.remove(module.params["token_file"] + ".wave")
        module.exit_json(changed=host.changed, deleted=deleted)
    host.report()


if __name__ == "__main__":
    main()
