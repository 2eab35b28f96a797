#!/usr/bin/python
"""Runs one rollout stage of a host's nbsecure steps on the host, as nbsecure apply and the scripts'
step library (lib.sh) do: the same checks in the same order, with the same outcome.

The steps are data rendered from the plan (host_vars). One call runs a stage's steps in order and stops
at the first that fails, so that nothing after a failure runs. Done-checks run in check mode too, and
so does a read whose output other hosts need (the CA fingerprint); any other command runs only outside
check mode, and the result says "changed" only when a changing one ran.
"""

import glob
import hashlib
import http.client
import json
import os
import re
import shutil
import socket
import ssl
import stat
import subprocess
import tempfile
from datetime import datetime, timezone
from urllib.parse import quote, urlsplit

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: nbsecure_steps
short_description: Run one rollout stage of a host's nbsecure steps
description: Interprets the steps nbsecure planned for this host (the Step contract), in order.
options:
  action:
    description: >-
      run (a stage's steps); wave_tokens (on the primary: the tokens a wave's hosts wait for); wave_end (on the
      primary: delete them, and those a stopped run left); forget (remove the secrets folders a stopped run left).
    type: str
    choices: [run, wave_tokens, wave_end, forget]
    default: run
  steps: {description: The stage's steps, as data from the plan., type: list, elements: dict}
  token_wait:
    description: A step that needs a token nobody handed over waits for its wave's token instead of failing.
    type: bool
    default: false
  per_wave: {description: The rollout's tokens are made per wave (the primary's token steps say perWave)., type: bool}
  wave: {description: "wave_tokens: name, shared (hosts for one token), create (its step), reissue (host, words).", type: dict}
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
  facts: {description: "Facts read on the primary for the other hosts' steps (caFingerprint)., type: dict}
author: nbsecure
"""

LINE = re.compile(r"^\s*([^=\s]+)\s*=\s*(.*?)\s*$")
# A SHA-256 fingerprint as NetBackup shows it: 32 colon-separated hex pairs (the output's layout around it is
# not documented, so only this documented shape is looked for).
SHA256_FINGERPRINT = re.compile(r"\b(?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}\b")


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


class RestFailure(Exception):
    pass


class Awaiting(Exception):
    """A step needs a token its wave makes on the primary: the host stops here, unharmed, and runs again."""

    def __init__(self, kind, step, token=None):
        super().__init__(kind)
        self.kind, self.step, self.token = kind, step, token


class PinnedApi:
    """The primary's REST API over TLS pinned to the CA fingerprint, as nbsecure apply does it: the CA is
    fetched without the key and accepted only by its SHA-256 fingerprint; every later call is verified
    against it and the primary's name. There is no unverified call with the key."""

    def __init__(self, rest, key, base="", timeout=30):
        # base: another address for the API (a proxy); the certificate is still checked against the primary.
        u = urlsplit(base.rstrip("/") + "/security/properties" if base else rest["url"])
        self.host, self.port, self.root = u.hostname, u.port or 443, u.path[: -len("/security/properties")]
        self.rest, self.key, self.timeout, self.ca = rest, key, timeout, None

    def call(self, method, path, body=None, auth=True):
        if self.ca:
            ctx = ssl.create_default_context(cadata=self.ca)
        else:
            # Before trust there is nothing to verify against: the answer is checked by its fingerprint.
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        try:
            raw = socket.create_connection((self.host, self.port), timeout=self.timeout)
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout)
            conn.sock = ctx.wrap_socket(raw, server_hostname=self.rest["primary"])
            headers = {"Accept": self.rest["mediaType"]}
            data = None
            if body is not None:
                data = json.dumps(body)
                headers["Content-Type"] = self.rest["mediaType"]
            if auth:
                headers["Authorization"] = self.key
            conn.request(method, self.root + path, body=data, headers=headers)
            r = conn.getresponse()
            text = r.read().decode("utf-8", "replace")
            conn.close()
        except (OSError, http.client.HTTPException) as e:
            raise RestFailure("%s %s: %s" % (method, self.root + path, e))
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = text
        return r.status, {k.lower(): v for k, v in r.getheaders()}, parsed

    def trust(self):
        expected = re.sub("[^0-9A-F]", "", self.rest["fingerprint"].upper())
        if len(expected) != 64:
            raise RestFailure("no SHA-256 CA fingerprint to pin the primary to (certificates.caFingerprint)")
        status, _, body = self.call("GET", "/security/cacert", auth=False)
        pem = body.get("webRootCert") if isinstance(body, dict) else None
        if status != 200 or not isinstance(pem, str):
            raise RestFailure("GET /security/cacert answered %d without a webRootCert" % status)
        seen = hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest().upper()
        if seen != expected:
            raise RestFailure(
                "the primary's CA has the SHA-256 fingerprint %s, not the expected %s: nothing was sent to it"
                % (":".join(seen[i : i + 2] for i in range(0, 64, 2)), self.rest["fingerprint"])
            )
        self.ca = pem


OTP_WAIT = "waiting for a one-time password: run again with NBSECURE_OTP=CODE (nbsecure rollout --otp CODE)"
APPROVAL_WAIT = "waiting for approval: approve the change in the web UI, then run again"


def norm(v):
    return re.sub("[^A-Z0-9]", "", str(v).upper())


def problem(what, status, body):
    msg = body.get("errorMessage") if isinstance(body, dict) else None
    hint = ": the API key was not accepted" if status == 401 else ""
    return "%s answered %d%s%s" % (what, status, " (%s)" % msg if msg else "", hint)


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
            private_folder(module, os.path.dirname(self.p["state_file"]))
        try:
            with open(self.p["state_file"]) as f:
                self.state = f.read().splitlines()
        except OSError:
            self.state = []
        self.results = []
        self.changed = False
        self.facts = {}

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
        # Only a command that acts as an administrator gets the API key, and none inherits a secret from the
        # shell: neither the key nor the token, passphrase or one-time password a user exported for the role.
        env = {k: v for k, v in os.environ.items() if k not in CHILD_SECRETS}
        if session and self.p["api_key"]:
            env["NETBACKUP_APIKEY"] = self.p["api_key"]
        p = subprocess.run(argv, input=stdin, capture_output=True, text=True, check=False, env=env)
        return p.returncode, p.stdout, p.stderr

    def save_state(self):
        if self.check:
            return
        write_private(self.p["state_file"], "".join(line + "\n" for line in self.state))

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

    def wait(self, s, text):
        self.done(s, "manual", text)
        self.m.fail_json(msg="WAITING %s: %s" % (s["id"], text), nbsecure_manual=s["id"], steps=self.results,
                         changed=self.changed)

    def rest_step(self, s):
        """The step's REST form: read, compare, POST only what differs; a held change waits (one-time password,
        approval) and is never sent twice. Its pending state is kept in the state file."""
        rest = s["rest"]
        api = PinnedApi(rest, self.p["api_key"], self.p["api_url"])
        pending = [line for line in self.state if line.startswith("pending " + s["id"] + " ")]
        held = pending[0].split(" ")[2:] if pending else None
        try:
            api.trust()
            if held and held[0] == "mfa":
                if not self.p["otp"]:
                    return self.wait(s, OTP_WAIT)
                if not self.check:
                    status, _, body = api.call("POST", "/security/adaptive-mfa/%s/validate" % quote(held[1]),
                                               {rest["otpField"]: self.p["otp"]})
                    if status == 404 or status == 410:
                        held = None
                    elif status >= 300:
                        self.fail(s, problem("the one-time password", status, body))
                    self.state = [line for line in self.state if not line.startswith("pending " + s["id"] + " ")]
            status, _, current = api.call("GET", "/security/properties")
            if status != 200:
                self.fail(s, problem("GET /security/properties", status, current))
            if isinstance(current, dict) and isinstance(current.get("data"), dict):
                current = current["data"].get("attributes", current)
            differ = [x for x in rest["settings"]
                      if current.get(x["name"]) is None
                      or norm(current.get(x["name"])) not in [norm(v) for v in [x["value"]] + x["accept"]]]
            if not differ:
                self.state = [line for line in self.state if not line.startswith("pending " + s["id"] + " ")]
                if held:
                    self.changed = True
                    return self.done(s, "changed", "the primary applied the change it held")
                return self.done(s, "unchanged", "already set")
            if held and held[0] == "approval":
                return self.wait(s, "still " + APPROVAL_WAIT)
            if self.check:
                self.changed = True
                return self.done(s, "changed", "would send " + ", ".join(x["name"] for x in differ))
            body = dict((x["name"], x["value"]) for x in differ)
            status, headers, answer = api.call("POST", "/security/properties", body)
            if status in (200, 204):
                self.changed = True
                return self.done(s, "changed", "sent " + ", ".join(x["name"] for x in differ))
            if status == 202:
                request = headers.get(rest["mfaHeader"])
                self.state.append("pending %s %s" % (s["id"], "mfa " + request if request else "approval"))
                if request and self.p["otp"]:
                    return self.rest_step(s)
                return self.wait(s, OTP_WAIT if request else APPROVAL_WAIT)
            self.fail(s, problem("POST /security/properties", status, answer))
        except RestFailure as e:
            self.fail(s, str(e))

    def fact(self, name):
        value = (self.p["facts"] or {}).get(name) or ""
        return value.upper() if SHA256_FINGERPRINT.fullmatch(value) else ""

    def capture_fact(self, s, out):
        """The CA fingerprint the primary shows, for the other hosts: only when it shows exactly one."""
        seen = sorted(set(f.upper() for f in SHA256_FINGERPRINT.findall(out)))
        if len(seen) == 1:
            self.facts[s["capturesFact"]] = seen[0]
            return "read the CA fingerprint %s for the other hosts" % seen[0]
        return (
            "the primary shows %d SHA-256 CA fingerprints, so none is handed on: the hosts' CA step stays a "
            "person's (put the right one in certificates.caFingerprint)" % len(seen)
        )

    def secret_at_hand(self, kind):
        source = (self.p["secret_files"] or {}).get(kind)
        return bool(source and self.read_secret(source))

    def make_token(self, words, values, what):
        """Makes a token on the primary (with the session's API key) from a planned -createToken, with the
        given flags' values replaced; its name is recorded before it exists, for wave_end. Never shown."""
        words = list(words)
        for flag, value in values.items():
            words[words.index(flag) + 1] = value
        self.state.append("wave-token " + values["-name"])
        self.save_state()
        rc, out, err = self.run(words, session=True)
        created = self.token.search(out)
        if rc != 0 or not created:
            self.m.fail_json(msg="%s failed (exit status %d): %s" % (what, rc, self.redact(out + err)[-1000:]))
        return created.group(0)

    def wave_tokens(self):
        """One token for the wave's hosts that need one (-maxUses that many), and a reissue token per host whose
        certificate expired or was revoked. Their names are kept in the primary's state until wave_end."""
        wave = self.p["wave"] or {}
        tokens, made = {"hosts": {}}, []
        shared = int(wave.get("shared") or 0)
        if shared > 0:
            create = wave["create"]
            values = {"-name": wave["name"], "-maxUses": str(shared), "-validFor": create["perWave"]["validFor"]}
            tokens["shared"] = self.make_token(create["argv"]["words"], values, "Making the token for %d hosts" % shared)
            made.append(wave["name"])
        for entry in wave.get("reissue") or []:
            name = "%s-%s" % (entry["words"][entry["words"].index("-name") + 1], wave["name"])
            what = "Making the reissue token of %s" % entry["host"]
            tokens["hosts"][entry["host"]] = self.make_token(entry["words"], {"-name": name}, what)
            made.append(name)
        self.changed = bool(made)
        return tokens, made

    def end_wave_tokens(self, nbcertcmd):
        """Deletes every token the waves made that is still recorded (a failure there is fine: it may be spent)."""
        names = [line[len("wave-token "):] for line in self.state if line.startswith("wave-token ")]
        for name in names:
            self.run([nbcertcmd, "-deleteToken", "-name", name], session=True)
        self.state = [line for line in self.state if not line.startswith("wave-token ")]
        self.changed = self.changed or bool(names)
        return names

    def step(self, s):
        if s.get("perWave") and self.p["per_wave"]:
            if s["retires"]:
                left = self.end_wave_tokens(s["argv"]["words"][0])
                return self.done(s, "changed" if left else "unchanged",
                                 "deleted %s, left by a wave" % ", ".join(left) if left else "no wave left a token")
            return self.done(s, "skipped", "the rollout makes a token per wave and deletes it after the wave")
        form = s.get("withFact")
        if "manual" in s and form and self.fact(form["fact"]):
            # The fingerprint was read on the primary over Ansible's own authenticated connection: the fetch
            # is verified against it, as with a fingerprint from the answers.
            value = self.fact(form["fact"])
            automated = {k: v for k, v in s.items() if k not in ("manual", "withFact")}
            automated.update(argv=form["argv"], files=form["files"], done=form["done"], doneMatch=re.escape(value))
            return self.step(automated)
        if s.get("apiKeyReplaces") and self.p["api_key"]:
            return self.done(s, "skipped", "not needed: the API key stands in for the login")
        if s.get("rest") and self.p["api_key"]:
            return self.rest_step(s)
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
                    if not self.p["reissue"] and self.p["token_wait"] and s["reissue"].get("token") and not self.check:
                        raise Awaiting("reissue", s, s["reissue"]["token"]["words"])
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
        wants_token = any(f["kind"] == "secret" and f["value"] == "token" for f in files)
        if wants_token and self.p["token_wait"] and not self.check and not self.secret_at_hand("token"):
            raise Awaiting("token", s)
        if self.check and s["changes"]:
            self.changed = True
            return self.done(s, "changed", "would run", cmd=command["words"])
        if self.check and not s.get("capturesFact"):
            return self.done(s, "unchanged", "would run", cmd=command["words"])
        # Named for its host, so that the next run of the host removes it if this one is killed mid-step.
        folder = tempfile.mkdtemp(prefix="nbsecure-secrets-%s-" % (self.p["host"] or "step"))
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
                    elif f["kind"] == "fact":
                        out.write(self.fact(f["value"]) + "\n")
                    else:
                        out.write(f["value"] + "\n")
            for f in command["files"]:
                argv[int(f["index"])] = os.path.join(folder, f["file"])
            # What the step owes (the restart after it) is saved before it runs: a kill mid-change keeps it owed.
            owed_now = ["owed " + o for o in s["owes"] if "owed " + o not in self.state]
            if owed_now:
                self.state += owed_now
                self.save_state()
            rc, out, err = self.run(argv, stdin, session=s.get("session", False))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        shown = dict(rc=rc, stdout=self.redact(out), stderr=self.redact(err), cmd=command["words"])
        if rc != 0:
            # A status of its own: the command changed nothing, and owes nothing new.
            self.state = [line for line in self.state if line not in owed_now]
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
        if s.get("capturesFact"):
            return self.done(s, "unchanged", self.capture_fact(s, out), **shown)
        if s["captures"]:
            created = self.token.search(out)
            if created:
                write_private(self.p["token_file"], created.group(0) + "\n")
        if "onlyIfChanged" in s:
            self.state = [line for line in self.state if line != "owed " + s["id"]]
        if s["once"]:
            self.state.append(s["id"])
        if s["retires"]:
            if os.path.exists(self.p["token_file"]):
                os.remove(self.p["token_file"])
            write_private(self.p["token_file"] + ".retired", "deleted after the rollout\n")
        if s["changes"]:
            self.changed = True
        return self.done(s, "changed" if s["changes"] else "unchanged", "ok", **shown)


# What no command the module runs inherits: the secrets the role's defaults read from the environment.
CHILD_SECRETS = ("NETBACKUP_APIKEY", "NBSECURE_API_KEY", "NBSECURE_TOKEN", "NBSECURE_PASSPHRASE", "NBSECURE_OTP")


def forget_secret_folders(host, in_use):
    """Removes the secrets folders an earlier run of this host left (killed, or interrupted before its always
    blocks): each is named for its host, and those this run hands over are kept. The count removed."""
    if not host:
        return 0
    keep = {os.path.dirname(path) for path in in_use.values()}
    pattern = os.path.join(tempfile.gettempdir(), "nbsecure-secrets-%s-*" % glob.escape(host))
    left = [d for d in glob.glob(pattern) if d not in keep and os.path.isdir(d) and not os.path.islink(d)]
    for d in left:
        shutil.rmtree(d, ignore_errors=True)
    return len(left)


def private_folder(module, folder):
    """The state folder, its owner's alone: made 0700, or made so; never a link, nor another user's."""
    os.makedirs(folder, mode=0o700, exist_ok=True)
    st = os.lstat(folder)
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
        module.fail_json(msg="the state folder %s is a link or another user's: nbsecure keeps its state and "
                         "tokens only in a folder of its own" % folder)
    if stat.S_IMODE(st.st_mode) != 0o700:
        os.chmod(folder, 0o700)


def write_private(path, text):
    """A file its owner alone reads, made anew and renamed into place: never written through a link planted
    there, nor into a file someone else made readable."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".nbsecure-")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main():
    module = AnsibleModule(
        argument_spec=dict(
            action=dict(type="str", default="run", choices=["run", "wave_tokens", "wave_end", "forget"]),
            host=dict(type="str", default=""),
            steps=dict(type="list", elements="dict", default=[]),
            token_wait=dict(type="bool", default=False),
            per_wave=dict(type="bool", default=False),
            wave=dict(type="dict", default={}),
            state_file=dict(type="path", required=True),
            token_file=dict(type="path", required=True),
            secret_files=dict(type="dict", default={}),
            token_shape=dict(type="str", required=True),
            confirmed=dict(type="list", elements="str", default=[]),
            reissue=dict(type="bool", default=False),
            api_key=dict(type="str", default="", no_log=True),
            otp=dict(type="str", default="", no_log=True),
            api_url=dict(type="str", default=""),
            facts=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    stage = Stage(module)
    swept = 0 if module.check_mode else forget_secret_folders(module.params["host"], module.params["secret_files"] or {})
    if module.params["action"] == "forget":
        module.exit_json(changed=bool(swept), removed=swept)
    if module.params["action"] == "wave_tokens":
        # The tokens go to a file only its owner reads, which a no_log task hands on: this task's own result,
        # and a failure's reason, can be shown.
        tokens, made = stage.wave_tokens()
        stage.save_state()
        write_private(module.params["token_file"] + ".wave", json.dumps(tokens))
        module.exit_json(changed=stage.changed, made=made)
    if module.params["action"] == "wave_end":
        deleted = stage.end_wave_tokens(module.params["wave"]["nbcertcmd"])
        stage.save_state()
        if os.path.exists(module.params["token_file"] + ".wave"):
            os.remove(module.params["token_file"] + ".wave")
        module.exit_json(changed=stage.changed, deleted=deleted)
    awaiting = None
    try:
        for step in module.params["steps"]:
            stage.step(step)
    except Awaiting as wait:
        stage.done(wait.step, "waiting", "waits for its wave's %s token from the primary" % wait.kind)
        awaiting = dict(kind=wait.kind, step=wait.step["id"], **({"token": wait.token} if wait.token else {}))
    finally:
        stage.save_state()
    result = dict(changed=stage.changed, steps=stage.results, facts=stage.facts)
    if awaiting:
        result["awaiting"] = awaiting
    module.exit_json(**result)


if __name__ == "__main__":
    main()
