#!/usr/bin/env bash
# nbsecure: steps for nbu-media1.corp.example (media, linux, NetBackup 9.1)
# Plan digest f3259e12922aba0d5cf0d6a7cf6b2a04ab224ea6e03291fb5c59cee0fc7abd0a. Generated: change the answers and run `nbsecure plan` again instead of editing.
# Run as root on nbu-media1.corp.example. The token comes from NBSECURE_TOKEN_FILE, NBSECURE_TOKEN or a hidden prompt
# (the ECA key passphrase likewise: NBSECURE_PASSPHRASE_FILE, NBSECURE_PASSPHRASE), and reaches NetBackup only
# through a 0600 file that is removed after its step. An API key (NBSECURE_API_KEY_FILE, mode 0600, or
# NBSECURE_API_KEY) stands in for the web login; only the commands that act as an administrator get it.
# Manual steps stop the script unless listed in NBSECURE_MANUAL_DONE (comma-separated step ids).
# NBSECURE_STAGE=NAME runs one stage (prepare, media, clients, tighten, verify); without it the script stops
# before a stage that waits for the fleet. Exit status: 0 done, 1 a step failed, 4 waiting for a person.
set -euo pipefail
umask 077
state_file=${NBSECURE_STATE_FILE:-./nbsecure-nbu-media1.corp.example.state}
token_shape='[A-Z]{16}'

# ---- nbsecure step library (bash): the same for every host; the steps below are data it interprets. ----
# Its twin for PowerShell is lib.ps1, function for function; both follow the runner (nbsecure apply).

# Secrets given in the environment are read once and taken out of it: no command this script runs inherits them.
# shellcheck disable=SC2034 # read through ${!env_var} in write_secret
secret_token=${NBSECURE_TOKEN:-} secret_passphrase=${NBSECURE_PASSPHRASE:-}
unset NBSECURE_TOKEN NBSECURE_PASSPHRASE
# The API key (NBSECURE_API_KEY_FILE, else NBSECURE_API_KEY) stands in for a person's login. Only the commands that
# act as an administrator get it, as NETBACKUP_APIKEY in their environment; a key already in the shell reaches none.
secret_api_key=${NBSECURE_API_KEY:-}
if [[ -n ${NBSECURE_API_KEY_FILE:-} ]]; then
  if [[ ! -f $NBSECURE_API_KEY_FILE || -n $(find "$NBSECURE_API_KEY_FILE" -maxdepth 0 -perm /044) ]]; then
    printf 'NBSECURE_API_KEY_FILE %s must be a file that only its owner can read (chmod 600).\n' "$NBSECURE_API_KEY_FILE" >&2
    exit 2
  fi
  secret_api_key=$(head -n 1 -- "$NBSECURE_API_KEY_FILE")
fi
unset NBSECURE_API_KEY NBSECURE_API_KEY_FILE NETBACKUP_APIKEY

workdir=$(mktemp -d)
trap 'rm -rf -- "$workdir"' EXIT
trap 'exit 130' INT TERM
token_out=${NBSECURE_TOKEN_OUT:-./nbsecure-token}
for private_file in "$token_out" "$token_out.retired" "$state_file"; do
  if [[ -L $private_file ]]; then
    printf '%s is a symbolic link: nbsecure writes its state and secrets only into files of its own. Remove the link and run again.\n' "$private_file" >&2
    exit 2
  fi
done

# The secrets this run knows, one a line, in the work folder: every line a command prints passes redact first.
: >"$workdir/redact"
remember_secret() { [[ ${#1} -lt 4 ]] || printf '%s\n' "$1" >>"$workdir/redact"; }
remember_secret "$secret_token"
remember_secret "$secret_passphrase"
remember_secret "$secret_api_key"
for secret_file in "${NBSECURE_TOKEN_FILE:-}" "${NBSECURE_PASSPHRASE_FILE:-}"; do
  [[ -z $secret_file || ! -r $secret_file ]] || remember_secret "$(head -n 1 -- "$secret_file")"
done
redact() {
  awk '
    FILENAME == ARGV[1] { s[++n] = $0; next }
    {
      for (i = 1; i <= n; i++) {
        out = ""; rest = $0
        while ((j = index(rest, s[i])) > 0) { out = out substr(rest, 1, j - 1) "[REDACTED]"; rest = substr(rest, j + length(s[i])) }
        $0 = out rest
      }
      print; fflush()
    }' "$workdir/redact" -
}

# Writes a file beside the script as a new file of its own, renamed into place: never through a link planted there.
save_private() {
  local tmp
  tmp=$(mktemp "$(dirname -- "$1")/.nbsecure.XXXXXX")
  printf '%s\n' "$2" >"$tmp"
  mv -f -- "$tmp" "$1"
}

# What must survive a failed run lives in the state file beside the script: steps done once (a revocation)
# and steps still owed (the restart after a setting changed, until it has run).
done_once() { [[ -f $state_file ]] && grep -qxF -- "$1" "$state_file"; }
mark_owed() { local id; for id in "$@"; do done_once "owed $id" || printf 'owed %s\n' "$id" >>"$state_file"; done; }
is_owed() { done_once "owed $1"; }
clear_owed() {
  [[ -f $state_file ]] || return 0
  grep -vxF -- "owed $1" "$state_file" >"$state_file.tmp" || true
  mv -- "$state_file.tmp" "$state_file"
}

# Runs a command; one that acts as an administrator (step_session) gets the API key, in its environment only.
as_step() {
  if [[ -n $step_session && -n $secret_api_key ]]; then NETBACKUP_APIKEY=$secret_api_key "$@"; else "$@"; fi
}

# Exits 0 when the read-only check says the step is already done (and its output matches, if a pattern is given).
already() {
  local pattern=$1 out
  shift
  out=$("$@" 2>&1) || return 1
  [[ -z $pattern ]] || grep -Eiq -- "$pattern" <<<"$out"
}

manual() {
  local id=$1 title=$2 line
  shift 2
  printf '\n==> [%s] MANUAL: %s\n' "$id" "$title"
  for line in "$@"; do printf '    %s\n' "$line"; done
  if [[ ",${NBSECURE_MANUAL_DONE:-}," == *",$id,"* ]]; then
    echo '    (confirmed done through NBSECURE_MANUAL_DONE)'
  elif [[ -t 0 ]]; then
    read -r -p '    Press Enter when it is done, or Ctrl-C to stop: ' _
  else
    printf 'stopped at manual step %s: do it, then run again with NBSECURE_MANUAL_DONE=%s\n' "$id" "$id" >&2
    exit 4
  fi
}

# The rollout's stages: with NBSECURE_STAGE set, only that stage's steps run; without it, the script
# stops (exit 4) before a stage that waits for the fleet (tighten, verify on the primary).
run_stage() { [[ -z ${NBSECURE_STAGE:-} || ${NBSECURE_STAGE} == "$1" ]]; }
stage_gate() {
  [[ -z ${NBSECURE_STAGE:-} ]] || return 0
  printf '\nWaiting for the fleet: the %s stage comes after every media server and client has its certificate.\n' "$1"
  printf 'Then run this script again with NBSECURE_STAGE=%s%s.\n' "$1" "$([[ $1 == tighten ]] && echo ', and last with NBSECURE_STAGE=verify')"
  exit 4
}

# Writes a secret (the token or the key passphrase) to a 0600 file; it never appears on a command line.
write_secret() {
  local kind=$1 target=$2 file_var env_var value
  if [[ $kind == token ]]; then
    file_var=NBSECURE_TOKEN_FILE env_var=secret_token
  else
    file_var=NBSECURE_PASSPHRASE_FILE env_var=secret_passphrase
  fi
  if [[ -n ${!file_var:-} ]]; then
    cp -- "${!file_var}" "$target"
  elif [[ -n ${!env_var:-} ]]; then
    printf '%s\n' "${!env_var}" >"$target"
  else
    read -r -s -p "$kind (hidden): " value
    echo
    remember_secret "$value"
    printf '%s\n' "$value" >"$target"
  fi
  chmod 600 "$target"
}

# Stops when this host already holds another value for a key that is its NetBackup identity (CLIENT_NAME).
keep_identity() {
  local key=$1 want=$2 have
  shift 2
  have=$({ "$@" 2>/dev/null || true; } | sed -n "s/^[[:space:]]*${key}[[:space:]]*=[[:space:]]*//p" | head -n 1)
  have=${have%"${have##*[![:space:]]}"}
  if [[ -n $have && $have != "$want" ]]; then
    printf '%s is %s on this host and the plan says %s: changing it would change this host'"'"'s NetBackup identity (its policies, host ID mappings and catalog entries). Correct the answers, or set replaceClientName: true for this host to change it on purpose.\n' "$key" "$have" "$want" >&2
    exit 1
  fi
}

# Stops when the domain's host list (nbemmcmd -listhosts -verbose) holds a host at 8.0 or earlier
# that the answers do not name: insecure communication off would cut it off. Reads MachineName and
# NetBackupVersion lines (layout unconfirmed); the names the answers give follow the command.
unlisted_legacy_guard() {
  local known=$1 out found
  shift
  out=$("$@")
  # Values reach awk through its environment: -v would turn the backslashes in them into other characters.
  found=$(known=$known awk '
    BEGIN { n = split(tolower(ENVIRON["known"]), k, " "); for (i = 1; i <= n; i++) { ok[k[i]] = 1; split(k[i], s, "."); ok[s[1]] = 1 } }
    /^[[:space:]]*MachineName[[:space:]]*=/ { name = $0; sub(/^[^=]*=[[:space:]]*"?/, "", name); sub(/["[:space:]].*$/, "", name) }
    /^[[:space:]]*NetBackupVersion[[:space:]]*=/ && name != "" {
      v = $0; sub(/^[^=]*=[[:space:]]*/, "", v); sub(/[^0-9.].*$/, "", v); split(v, p, ".")
      short = tolower(name); sub(/\..*$/, "", short)
      if (v !~ /^0(\.0)*$/ && (p[1] < 8 || (p[1] == 8 && p[2] == 0)) && !(tolower(name) in ok) && !(short in ok))
        printf "%s%s (%s)", (found++ ? ", " : ""), name, v
      name = ""
    }' <<<"$out")
  if [[ -n $found ]]; then
    printf 'the domain knows %s, at 8.0 or earlier and not in the answers: turning insecure communication off would cut them off. Upgrade or decommission them, or add them to the answers (insecure communication then stays on), and run again.\n' "$found" >&2
    exit 1
  fi
}

# The state of the host certificate that `nbcertcmd -listCertDetails` lists: valid, "expiring WORDS",
# "reissue WHY", or none. Reads "Expiry Date : DATE" and the word revoked (layout unconfirmed).
cert_state() {
  local warn=$1 out expiry epoch now days day
  shift
  out=$("$@" 2>&1) || {
    echo none
    return
  }
  if grep -qiw revoked <<<"$out"; then
    echo 'reissue the host certificate is revoked'
    return
  fi
  expiry=$(sed -n 's/^[[:space:]]*Expiry Date[[:space:]]*:[[:space:]]*//Ip' <<<"$out" | head -n 1)
  if [[ -z $expiry ]] || ! epoch=$(date -d "$expiry" +%s 2>/dev/null); then
    echo valid
    return
  fi
  now=$(date +%s) day=$(date -u -d "@$epoch" +%F) days=$(((epoch - now) / 86400))
  if ((epoch <= now)); then
    echo "reissue the host certificate expired on $day"
  elif ((days <= warn)); then
    echo "expiring the host certificate expires on $day, in $days days; certificates renew themselves 180 days before expiry, so renewal has failed here: run nbcertcmd -renewCertificate"
  else
    echo valid
  fi
}

# An expired or revoked certificate needs a reissue token, which only the primary makes; a normal token must not be used.
reissue_needed() {
  if [[ ${NBSECURE_REISSUE:-} != 1 ]]; then
    printf '%s, so it needs a reissue token: create it %s, then run this script again with NBSECURE_REISSUE=1 and the token in NBSECURE_TOKEN_FILE.\n' "$1" "$2" >&2
    exit 1
  fi
  printf '    %s: a new certificate is fetched with the reissue token (-force)\n' "$1"
}

# Whether the token an earlier run captured is at hand: without its value a token is useless.
# A retired token (deleted after the rollout) counts as at hand: no step may make another.
token_at_hand() { [[ -e $token_out.retired ]] || { [[ -s $token_out && ! -L $token_out ]] && grep -qxE "$token_shape" "$token_out"; }; }

retire_token() {
  rm -f -- "$token_out"
  save_private "$token_out.retired" 'deleted after the rollout'
}

# What nbsetconfig must be given, exactly as apply computes it: only the owned keys whose values differ,
# each as its complete list; a repeated key keeps the host's other values after the planned ones
# (writing it replaces the whole set). Keys the plan does not own are never written.
config_change() {
  local planned=$1 repeated=$2 current
  shift 2
  current=$("$@" 2>/dev/null) || {
    echo 'the current configuration could not be read, so repeated keys cannot be merged safely' >&2
    return 1
  }
  planned=$planned repeated=$repeated awk '
    function key(l,  k) { k = l; if (k !~ /=/) return ""; sub(/[[:space:]]*=.*/, "", k); sub(/^[[:space:]]+/, "", k); return k }
    function val(l,  v) { v = l; sub(/^[^=]*=[[:space:]]*/, "", v); sub(/[[:space:]]+$/, "", v); return v }
    BEGIN {
      n = split(ENVIRON["planned"], pl, "\n")
      for (i = 1; i <= n; i++) { if (pl[i] == "") continue; k = key(pl[i]); if (!(k in seen)) { seen[k] = 1; order[++nk] = k } want[k, ++wn[k]] = val(pl[i]) }
      m = split(ENVIRON["repeated"], rp, " "); for (i = 1; i <= m; i++) rep[rp[i]] = 1
    }
    { k = key($0); if (k != "" && (k in seen)) have[k, ++hn[k]] = val($0) }
    END {
      for (o = 1; o <= nk; o++) {
        k = order[o]; dn = 0
        for (i = 1; i <= wn[k]; i++) d[++dn] = want[k, i]
        if (k in rep) for (i = 1; i <= hn[k]; i++) { dup = 0; for (j = 1; j <= wn[k]; j++) if (want[k, j] == have[k, i]) dup = 1; if (!dup) d[++dn] = have[k, i] }
        same = (dn == hn[k]); for (i = 1; same && i <= dn; i++) if (d[i] != have[k, i]) same = 0
        if (!same) for (i = 1; i <= dn; i++) printf "%s = %s\n", k, d[i]
      }
    }' <<<"$current"
}

# ---- One step as data. step_begin clears it; the host's part sets what its step has; run_step interprets it. ----
step_begin() {
  step_id=$1 step_stage=$2 step_title=$3
  step_gate='' step_manual=() step_argv=() step_argv_files='' step_stdin='' step_has_stdin='' step_files=()
  step_done=() step_done_match='' step_cert_warn='' step_reissue=() step_reissue_argv_files='' step_reissue_files=()
  step_reissue_howto='' step_merge_keys='' step_read=() step_identity_keys=() step_identity_wants=()
  step_identity_read=()
  step_captures='' step_skip_if_captured='' step_once='' step_retires='' step_tolerate='' step_legacy_known=''
  step_has_legacy_guard='' step_only_if_changed='' step_owes=() step_interrupts='' step_session=''
  step_api_key_replaces=''
}

# Writes the files a step hands its command, each given as NAME:secret:KIND (from the secret, at run time)
# or NAME:content:TEXT, into the work folder; file_names lists them, to be removed after the command.
write_files() {
  local entry name rest
  file_names=()
  for entry in "$@"; do
    name=${entry%%:*} rest=${entry#*:}
    file_names+=("$workdir/$name")
    if [[ ${rest%%:*} == secret ]]; then
      write_secret "${rest#*:}" "$workdir/$name"
    else
      printf '%s\n' "${rest#*:}" >"$workdir/$name"
    fi
  done
}

# Sets run_argv: the command given, each file argument ("INDEX=NAME" in the first word) replaced by its file's path.
fill_files() {
  local spec=$1 pair
  shift
  run_argv=("$@")
  for pair in $spec; do run_argv[${pair%%=*}]="$workdir/${pair#*=}"; done
}

step_failed() {
  printf '\nFailed: %s (%s): exit status %s. NetBackup says why: nbsecure explain %s\n' "$step_title" "$step_id" "$1" "$1" >&2
  exit 1
}

# Interprets the step: the same checks, in the same order, with the same outcome as nbsecure apply.
run_step() {
  [[ -z $step_gate ]] || stage_gate "$step_gate"
  run_stage "$step_stage" || return 0
  if [[ -n $step_api_key_replaces && -n $secret_api_key ]]; then
    printf '\n==> [%s] %s\n    not needed: the API key stands in for the login\n' "$step_id" "$step_title"
    return 0
  fi
  if ((${#step_manual[@]})); then
    manual "$step_id" "$step_title" "${step_manual[@]}"
    return 0
  fi
  printf '\n==> [%s] %s\n' "$step_id" "$step_title"
  if [[ -n $step_once ]] && done_once "$step_id"; then
    echo '    done in an earlier run: it is done once'
    return 0
  fi
  if [[ -n $step_skip_if_captured ]] && token_at_hand; then
    echo '    skipped: the token captured earlier is at hand'
    return 0
  fi
  if [[ -n $step_only_if_changed ]] && ! is_owed "$step_id"; then
    echo '    skipped: nothing changed that needs it'
    return 0
  fi
  local reissuing='' cert_now
  if [[ -n $step_cert_warn ]]; then
    cert_now=$(cert_state "$step_cert_warn" as_step "${step_done[@]}")
    case $cert_now in
      valid)
        echo '    already done'
        return 0
        ;;
      expiring*)
        echo "    WARNING: ${cert_now#expiring }"
        echo '    already done'
        return 0
        ;;
      reissue*)
        reissue_needed "${cert_now#reissue }" "$step_reissue_howto"
        reissuing=1
        ;;
    esac
  elif ((${#step_done[@]})) && already "$step_done_match" as_step "${step_done[@]}"; then
    echo '    already done'
    return 0
  fi
  local i change status=0
  for ((i = 0; i < ${#step_identity_keys[@]}; i++)); do
    keep_identity "${step_identity_keys[i]}" "${step_identity_wants[i]}" "${step_identity_read[@]}"
  done
  if ((${#step_read[@]})); then
    change=$(config_change "$step_stdin" "$step_merge_keys" "${step_read[@]}")
    if [[ -z $change ]]; then
      echo '    no changes: the configuration already matches'
      return 0
    fi
  fi
  [[ -z $step_interrupts ]] || echo '    This interrupts running backup and restore jobs.'
  # (An empty array is spelt ${a[@]+"${a[@]}"}: bash before 4.4 calls it unbound under set -u.)
  if [[ -n $reissuing ]]; then
    write_files ${step_reissue_files[@]+"${step_reissue_files[@]}"}
    fill_files "$step_reissue_argv_files" "${step_reissue[@]}"
  else
    write_files ${step_files[@]+"${step_files[@]}"}
    fill_files "$step_argv_files" "${step_argv[@]}"
  fi
  # What this step owes (the restart after it) is recorded before it runs: a kill in the middle of the change
  # must not lose it. A step that then fails with a status of its own changed nothing, and owes nothing new.
  local owed_now=() o
  for o in ${step_owes[@]+"${step_owes[@]}"}; do is_owed "$o" || owed_now+=("$o"); done
  ((${#owed_now[@]} == 0)) || mark_owed "${owed_now[@]}"
  if [[ -n $reissuing ]]; then
    as_step "${run_argv[@]}" 2>&1 | redact || status=$?
  elif ((${#step_read[@]})); then
    printf '%s\n' "$change" | as_step "${run_argv[@]}" 2>&1 | redact || status=$?
  elif [[ -n $step_captures ]]; then
    local created
    created=$(as_step "${run_argv[@]}") || status=$?
    if ((status == 0)); then
      created=$(grep -oE "\\b${token_shape}\\b" <<<"$created" | head -n 1) || true
      remember_secret "$created"
      save_private "$token_out" "$created"
      echo "    token saved to $token_out (mode 0600): hand it to the hosts that need it, then delete it"
    fi
  elif [[ -n $step_has_legacy_guard ]]; then
    unlisted_legacy_guard "$step_legacy_known" "${run_argv[@]}"
  elif [[ -n $step_has_stdin ]]; then
    printf '%s' "$step_stdin" | as_step "${run_argv[@]}" 2>&1 | redact || status=$?
  else
    as_step "${run_argv[@]}" 2>&1 | redact || status=$?
  fi
  rm -f -- ${file_names[@]+"${file_names[@]}"}
  if ((status != 0)); then
    for o in ${owed_now[@]+"${owed_now[@]}"}; do clear_owed "$o"; done
    [[ -n $step_tolerate ]] || step_failed "$status"
    echo "    exit status $status: fine, $step_tolerate"
    [[ -z $step_once ]] || printf '%s\n' "$step_id" >>"$state_file"
    return 0
  fi
  [[ -z $step_only_if_changed ]] || clear_owed "$step_id"
  [[ -z $step_once ]] || printf '%s\n' "$step_id" >>"$state_file"
  [[ -z $step_retires ]] || retire_token
}
# ---- end of the step library ----

# ---- The steps of nbu-media1.corp.example, in order ----

# Write the NetBackup configuration
# Why: Sets SERVER, CLIENT_NAME. Repeated keys are written as the complete list, merged with entries already on the host, because setting one replaces the whole set.
step_begin nbu-media1.corp.example:config.set media 'Write the NetBackup configuration'
step_argv=(/usr/openv/netbackup/bin/nbsetconfig)
step_stdin=$'SERVER = nbu-primary.corp.example\nSERVER = nbu-media1.corp.example\nCLIENT_NAME = nbu-media1.corp.example\n' step_has_stdin=1
step_merge_keys=SERVER
step_read=(/usr/openv/netbackup/bin/nbgetconfig)
step_identity_keys=(CLIENT_NAME) step_identity_wants=(nbu-media1.corp.example)
step_identity_read=(/usr/openv/netbackup/bin/nbgetconfig CLIENT_NAME)
run_step

# Read the configuration back
# Why: Confirms that every value the plan owns is now in effect.
step_begin nbu-media1.corp.example:config.verify media 'Read the configuration back'
step_argv=(/usr/openv/netbackup/bin/nbgetconfig SERVER CLIENT_NAME)
run_step

# Fetch the CA certificate and compare its fingerprint by eye
# Why: No CA fingerprint was given, so only a person can confirm that the CA presented is the primary's.
step_begin nbu-media1.corp.example:ca.get media 'Fetch the CA certificate and compare its fingerprint by eye'
step_manual=('On the primary, run: nbcertcmd -displayCACertDetail, and note the fingerprint.' 'On nbu-media1.corp.example, run: nbcertcmd -getCACertificate -server nbu-primary.corp.example' 'Answer y only if the fingerprint shown matches the primary'\''s exactly.' 'To automate this step, put the fingerprint in certificates.caFingerprint and plan again.')
run_step

# Deploy the host certificate
# Why: At the High level the primary issues a certificate without a token to a host it already knows (in its configuration, EMM, a policy, or as a legacy client). If the primary answers 5954 or 5955, deploy this certificate with a token: a token works at every level.
step_begin nbu-media1.corp.example:cert.get media 'Deploy the host certificate'
step_argv=(/usr/openv/netbackup/bin/nbcertcmd -getCertificate -server nbu-primary.corp.example)
step_done=(/usr/openv/netbackup/bin/nbcertcmd -listCertDetails)
step_cert_warn=30
step_reissue=(/usr/openv/netbackup/bin/nbcertcmd -getCertificate -file '<token file>' -force -server nbu-primary.corp.example)
step_reissue_argv_files=3=token
step_reissue_files=(token:secret:token)
step_reissue_howto='on nbu-primary.corp.example, after logging in: nbcertcmd -createToken -name reissue-nbu-media1 -reissue -host nbu-media1.corp.example (single use, bound to this host)'
run_step

# List the host certificate
# Why: Shows the certificate that was just issued, its host ID and expiry.
step_begin nbu-media1.corp.example:cert.verify media 'List the host certificate'
step_argv=(/usr/openv/netbackup/bin/nbcertcmd -listCertDetails)
run_step

# Check the host's certificate state
# Why: Reports whether this host's certificate is valid and not revoked.
step_begin nbu-media1.corp.example:cert.selfcheck media 'Check the host'\''s certificate state'
step_argv=(/usr/openv/netbackup/bin/nbcertcmd -hostSelfCheck)
run_step

printf '\nnbsecure: all steps for %s are done.\n' nbu-media1.corp.example
