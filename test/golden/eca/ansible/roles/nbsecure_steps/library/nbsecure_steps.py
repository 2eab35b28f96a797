#!/usr/bin/python
"""Runs one rollout stage of a host's nbsecure steps on the host, as nbsecure apply and the scripts'
step library (lib.sh) do: the same checks in the same order, with the same outcome.

The steps are data rendered from the plan (host_vars). One call runs a stage's steps in order and stops
at the first that fails, so that nothing after a failure runs. Done-checks and reads run in check mode
too; a changing command runs only outside check mode, and the result says "changed" only when one ran.
"""

import os
import re
import shutil
import subprocess
import tempfile
from datetime import datetime, timezone

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: nbsecure_steps
short_description: Run one rollout stage of a host's nbsecure steps
description: Interprets the steps nbsecure planned for this host (the Step contract), in order.
options:
  steps: {description: The stage's steps, as data from the plan., type: list, elements: dict, required: true}
  state_file: {description: The state kept beside the steps (done once, restarts owed)., type: path, required: true}
  token_file: {description: The rollout token captured on the primary (mode 0600)., type: path, required: true}
  secret_files: {description: Files holding the secrets steps hand over, by kind (token, passphrase)., type: dict}
  token_shape: {description: An authorization token's shape (a regular expression)., type: str, required: true}
  confirmed: {description: Manual steps a person has done., type: list, elements: str}
  reissue: {description: The token given is a reissue token., type: bool, default: false}
author: nbsecure
"""

LINE = re.compile(r"^\s*([^=\s]+)\s*=\s*(.*?)\s*$")


def pairs(text):
    for line in (text or "").splitlines():
        m = LINE.match(line)
        if m:
            yield m.group(1), m.group(2)


def config_change(current, planned, repeated):
    """Only the owned keys whose values differ, each as its complete list; repeated keys keep the host's others."""
    want = {}
    for key, value in pairs(planned):
        want.setdefault(key, []).append(value)
    have = {}
    for key, value in pairs(current):
        if key in want:
            have.setdefault(key, []).append(value)
    out = []
    for key, values in want.items():
        now = have.get(key, [])
        wanted = list(values) + ([v for v in now if v not in values] if key in repeated else [])
        if wanted != now:
            out += ["%s = %s" % (key, v) for v in wanted]
    return "\n".join(out) + "\n" if out else ""


def cert_state(output, rc, warn_days):
    """valid, 'expiring WORDS', 'reissue WHY' or none, from nbcertcmd -listCertDetails (layout unconfirmed)."""
    if rc != 0:
        return "none"
    if re.search(r"\brevoked\b", output, re.I):
        return "reissue the host certificate is revoked"
    m = re.search(r"(?im)^\s*Expiry Date\s*:\s*(.+?)\s*$", output)
    if not m:
        return "valid"
    expiry = None
    for parse in (
        lambda t: datetime.fromisoformat(t.replace("Z", "+00:00")),
        lambda t: datetime.strptime(t, "%a, %d %b %Y %H:%M:%S %Z"),
        lambda t: datetime.strptime(t, "%a %b %d %H:%M:%S %Y %Z"),
    ):
        try:
            expiry = parse(m.group(1))
            break
        except ValueError:
            pass
    if expiry is None:
        return "valid"
    if expiry.tzinfo is None:
        expiry = expiry.replace(tzinfo=timezone.utc)
    now = datetime.now(timezone.utc)
    day = expiry.astimezone(timezone.utc).strftime("%Y-%m-%d")
    days = int((expiry - now).total_seconds() // 86400)
    if expiry <= now:
        return "reissue the host certificate expired on %s" % day
    if days <= int(warn_days):
        return (
            "expiring the host certificate expires on %s, in %d days; certificates renew themselves 180 days "
            "before expiry, so renewal has failed here: run nbcertcmd -renewCertificate" % (day, days)
        )
    return "valid"


def unlisted_legacy(output, known):
    """Hosts at 8.0 or earlier in nbemmcmd -listhosts -verbose that the answers do not name (layout unconfirmed)."""
    ok = set()
    for name in known:
        ok.update([name.lower(), name.lower().split(".")[0]])
    found, name = [], None
    for line in output.splitlines():
        m = re.match(r'^\s*MachineName\s*=\s*"?([^"\s]+)', line)
        if m:
            name = m.group(1)
            continue
        m = re.match(r"^\s*NetBackupVersion\s*=\s*(\d+(?:\.\d+)*)", line)
        if m and name:
            parts = [int(p) for p in m.group(1).split(".")]
            legacy = parts[0] < 8 or (parts[0] == 8 and len(parts) > 1 and parts[1] == 0)
            if legacy and any(parts) and name.lower() not in ok and name.lower().split(".")[0] not in ok:
                found.append("%s (%s)" % (name, m.group(1)))
            name = None
    return found


class Stage:
    def __init__(self, module):
        self.m = module
        self.p = module.params
        self.check = module.check_mode
        self.token = re.compile(r"\b%s\b" % self.p["token_shape"])
        self.secrets = [self.read_secret(f) for f in (self.p["secret_files"] or {}).values()]
        if self.p["api_key"]:
            self.secrets.append(self.p["api_key"])
        if not self.check:
            os.makedirs(os.path.dirname(self.p["state_file"]), mode=0o700, exist_ok=True)
        try:
            with open(self.p["state_file"]) as f:
                self.state = f.read().splitlines()
        except OSError:
            self.state = []
        self.results = []
        self.changed = False

    @staticmethod
    def read_secret(path):
        try:
            with open(path) as f:
                return f.read().strip()
        except OSError:
            return ""

    def redact(self, text):
        for s in self.secrets:
            if len(s) >= 4:
                text = text.replace(s, "[REDACTED]")
        return self.token.sub("[REDACTED]", text)

    def run(self, argv, stdin=None, session=False):
        # Only a command that acts as an administrator gets the API key, and none inherits one from the shell.
        env = {k: v for k, v in os.environ.items() if k != "NETBACKUP_APIKEY"}
        if session and self.p["api_key"]:
            env["NETBACKUP_APIKEY"] = self.p["api_key"]
        p = subprocess.run(argv, input=stdin, capture_output=True, text=True, check=False, env=env)
        return p.returncode, p.stdout, p.stderr

    def save_state(self):
        if self.check:
            return
        fd = os.open(self.p["state_file"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("".join(line + "\n" for line in self.state))

    def token_at_hand(self):
        path = self.p["token_file"]
        if os.path.exists(path + ".retired"):
            return True
        return bool(re.fullmatch(self.p["token_shape"], self.read_secret(path)))

    def done(self, step, outcome, detail, **more):
        self.results.append(dict(id=step["id"], title=step["title"], outcome=outcome, detail=detail, **more))

    def fail(self, step, msg, **more):
        self.done(step, "failed", msg, **more)
        self.m.fail_json(msg="%s (%s): %s" % (step["title"], step["id"], msg), steps=self.results, changed=self.changed)

    def step(self, s):
        if s.get("apiKeyReplaces") and self.p["api_key"]:
            return self.done(s, "skipped", "not needed: the API key stands in for the login")
        if "manual" in s:
            if s["id"] in (self.p["confirmed"] or []):
                return self.done(s, "unchanged", "confirmed done")
            self.done(s, "manual", "a person must do this step")
            self.m.fail_json(
                msg="MANUAL %s: %s. %s When it is done, run again with -e '{\"nbsecure_confirmed\": [\"%s\"]}'."
                % (s["id"], s["title"], " ".join(s["manual"]), s["id"]),
                nbsecure_manual=s["id"],
                steps=self.results,
                changed=self.changed,
            )
        if s["once"] and s["id"] in self.state:
            return self.done(s, "skipped", "done in an earlier run: it is done once")
        if s["skipIfCaptured"] and self.token_at_hand():
            return self.done(s, "skipped", "the token captured earlier is at hand")
        if "onlyIfChanged" in s and "owed " + s["id"] not in self.state:
            return self.done(s, "skipped", "nothing changed that needs it")
        command, files, stdin = s.get("argv"), s["files"], s.get("stdin")
        if "done" in s:
            rc, out, err = self.run(s["done"]["words"], session=s.get("session", False))
            if "certWarnDays" in s:
                cert = cert_state(out + err, rc, s["certWarnDays"])
                if cert == "valid" or cert.startswith("expiring "):
                    warning = cert[9:] if cert.startswith("expiring ") else None
                    return self.done(s, "unchanged", "already done", **({"warning": warning} if warning else {}))
                if cert.startswith("reissue "):
                    if not self.p["reissue"]:
                        self.fail(
                            s,
                            "%s, so it needs a reissue token: create it %s, then run again with -e nbsecure_reissue=true"
                            % (cert[8:], s["reissue"]["howTo"]),
                        )
                    command, files, stdin = s["reissue"]["argv"], s["reissue"]["files"], None
            elif rc == 0 and ("doneMatch" not in s or re.search(s["doneMatch"], out + err, re.I)):
                return self.done(s, "unchanged", "already done")
        if "identity" in s:
            rc, out, _ = self.run(s["identity"]["read"]["words"])
            current = dict(pairs(out))
            for key, want in zip(s["identity"]["names"], s["identity"]["wants"]):
                if current.get(key) and current[key] != want:
                    self.fail(
                        s,
                        "%s is %s on this host and the plan says %s: changing it would change this host's NetBackup "
                        "identity (its policies, host ID mappings and catalog entries). Correct the answers, or set "
                        "replaceClientName: true for this host to change it on purpose" % (key, current[key], want),
                    )
        if "merge" in s:
            rc, out, _ = self.run(s["merge"]["read"]["words"])
            if rc != 0:
                self.fail(s, "the current configuration could not be read, so repeated keys cannot be merged safely")
            stdin = config_change(out, s["stdin"], set(s["merge"]["names"]))
            if not stdin:
                return self.done(s, "unchanged", "no changes: the configuration already matches")
        if self.check:
            if s["changes"]:
                self.changed = True
            return self.done(s, "changed" if s["changes"] else "unchanged", "would run", cmd=command["words"])
        folder = tempfile.mkdtemp(prefix="nbsecure-")
        try:
            argv = list(command["words"])
            for f in files:
                path = os.path.join(folder, f["name"])
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as out:
                    if f["kind"] == "secret":
                        source = (self.p["secret_files"] or {}).get(f["value"])
                        if not source:
                            self.fail(s, "it needs the %s, and none was handed to this host" % f["value"])
                        out.write(self.read_secret(source) + "\n")
                    else:
                        out.write(f["value"] + "\n")
            for f in command["files"]:
                argv[int(f["index"])] = os.path.join(folder, f["file"])
            rc, out, err = self.run(argv, stdin, session=s.get("session", False))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        shown = dict(rc=rc, stdout=self.redact(out), stderr=self.redact(err), cmd=command["words"])
        if rc != 0:
            if "tolerate" not in s:
                self.fail(s, "exit status %d" % rc, **shown)
            if s["once"]:
                self.state.append(s["id"])
            return self.done(s, "unchanged", "exit status %d: fine, %s" % (rc, s["tolerate"]), **shown)
        if "legacyKnown" in s:
            found = unlisted_legacy(out, s["legacyKnown"])
            if found:
                self.fail(
                    s,
                    "the domain knows %s, at 8.0 or earlier and not in the answers: turning insecure communication "
                    "off would cut them off. Upgrade or decommission them, or add them to the answers (insecure "
                    "communication then stays on), and run again" % ", ".join(found),
                )
        if s["captures"]:
            created = self.token.search(out)
            if created:
                fd = os.open(self.p["token_file"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w") as f:
                    f.write(created.group(0) + "\n")
        self.state += ["owed " + o for o in s["owes"] if "owed " + o not in self.state]
        if "onlyIfChanged" in s:
            self.state = [line for line in self.state if line != "owed " + s["id"]]
        if s["once"]:
            self.state.append(s["id"])
        if s["retires"]:
            if os.path.exists(self.p["token_file"]):
                os.remove(self.p["token_file"])
            fd = os.open(self.p["token_file"] + ".retired", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write("deleted after the rollout\n")
        if s["changes"]:
            self.changed = True
        return self.done(s, "changed" if s["changes"] else "unchanged", "ok", **shown)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            steps=dict(type="list", elements="dict", required=True),
            state_file=dict(type="path", required=True),
            token_file=dict(type="path", required=True),
            secret_files=dict(type="dict", default={}),
            token_shape=dict(type="str", required=True),
            confirmed=dict(type="list", elements="str", default=[]),
            reissue=dict(type="bool", default=False),
            api_key=dict(type="str", default="", no_log=True),
        ),
        supports_check_mode=True,
    )
    stage = Stage(module)
    try:
        for step in module.params["steps"]:
            stage.step(step)
    finally:
        stage.save_state()
    module.exit_json(changed=stage.changed, steps=stage.results)


if __name__ == "__main__":
    main()
