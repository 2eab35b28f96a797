"""What the nbsecure role does for Ansible alone, beside the hosts' own scripts (lib.sh): the primary's REST
API from the control node, pinned to its CA, and the tokens each wave of hosts gets. Shared by the role's
modules; the steps themselves are the per-host scripts', never re-interpreted here."""

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
import tempfile
from urllib.parse import quote, urlsplit

class RestFailure(Exception):
    pass


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




class PrimaryWork:
    """Work on the primary that exists for the rollout alone. The class using it keeps: p (the module's
    parameters), check, state (the state file's lines), changed, and done / fail / wait / run / save_state."""

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


