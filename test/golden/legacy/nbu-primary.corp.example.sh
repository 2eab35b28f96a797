#!/usr/bin/env bash
# nbsecure: steps for nbu-primary.corp.example (primary, linux, NetBackup 9.1)
# Plan digest 4937cb4a2cc0a534f78c24b85e8e08477b54585d0cb28e7fecfb5248f5c47005. Generated: change the answers and run `nbsecure plan` again instead of editing.
# Run as root on nbu-primary.corp.example. The token comes from NBSECURE_TOKEN_FILE, NBSECURE_TOKEN or a hidden prompt
# (the ECA key passphrase likewise: NBSECURE_PASSPHRASE_FILE, NBSECURE_PASSPHRASE), and reaches NetBackup only
# through a 0600 file that is removed after its step. An API key (NBSECURE_API_KEY_FILE, mode 0600, or
# NBSECURE_API_KEY) stands in for the web login; only the commands that act as an administrator get it.
# Manual steps stop the script unless listed in NBSECURE_MANUAL_DONE (comma-separated step ids).
# NBSECURE_STAGE=NAME runs one stage (prepare, media, clients, tighten, verify); without it the script stops
# before a stage that waits for the fleet. NBSECURE_CHECK=1 runs only the read-only checks and prints what would
# change; NBSECURE_STEP_TIMEOUT (seconds, default 600) stops a command that hangs; NBSECURE_EVENTS=FILE appends
# each step's outcome there as a JSON line. Exit status: 0 done, 1 a step failed, 4 waiting for a person.
set -euo pipefail
umask 077
host_name=nbu-primary.corp.example
state_file=${NBSECURE_STATE_FILE:-./nbsecure-nbu-primary.corp.example.state}
token_shape='[A-Z]{16}'
status_line='EXIT STATUS'

# ---- nbsecure step library (bash): the same for every POSIX host; the steps below are Step operations it
# interprets (src/plan/operations.ts). Its twin for Windows is lib.ps1. ----

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

# Named for its host: a run killed in the middle leaves it behind, and the next run of the host (or the Ansible
# role's cleanup) finds it by that name and removes it.
workdir=$(mktemp -d "${TMPDIR:-/tmp}/nbsecure-secrets-${host_name}-XXXXXX")
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
      # A copy for the status line (failure), when asked for: one process, not a tee beside it.
      if (ENVIRON["redact_copy"] != "") print > ENVIRON["redact_copy"]
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
clear_owed() { remove_state "owed $1"; }
remove_state() {
  [[ -f $state_file ]] || return 0
  grep -vxF -- "$1" "$state_file" >"$state_file.tmp" || true
  mv -- "$state_file.tmp" "$state_file"
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
  elif [[ ! -t 0 ]]; then
    step_failed "it needs the $kind, and none was given: set $file_var (a file of mode 0600) or ${file_var%_FILE}"
  else
    read -r -s -p "$kind (hidden): " value
    echo
    remember_secret "$value"
    printf '%s\n' "$value" >"$target"
  fi
  chmod 600 "$target"
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
# The host's configuration comes on standard input.
config_change() {
  planned=$1 repeated=$2 awk '
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
    }'
}


# ---- The Step operations (src/plan/operations.ts). A step is a list of `nb_op NAME KEY=VALUE... [-- WORDS]`
# lines; each handler below implements one operation, and no rule of its own: every pattern, key and number it
# applies is in its KEY=VALUE data. step_begin starts a step, step_end reports how it ended. ----

step_timeout=${NBSECURE_STEP_TIMEOUT:-600}
if [[ ! $step_timeout =~ ^[1-9][0-9]*$ ]]; then
  printf 'NBSECURE_STEP_TIMEOUT %s must be a whole number of seconds above 0.\n' "$step_timeout" >&2
  exit 2
fi
# GNU timeout (coreutils) stops a hung command and all it started; a UNIX host without it runs without a limit.
have_timeout=$(command -v timeout || true)
check_mode=${NBSECURE_CHECK:-}
declare -A step_flags=()
config_lines=''

# A JSON string: what the events file holds (the vocabulary of nbsecure apply --json).
json_str() {
  local json_out=''
  json_set json_out "$1"
  printf '%s' "$json_out"
}
# The same into a variable, without the subshell a $(...) costs: it runs for every step.
json_set() {
  local s=$2
  s=${s//\\/\\\\} s=${s//\"/\\\"} s=${s//$'\n'/\\n} s=${s//$'\r'/\\r} s=${s//$'\t'/\\t}
  printf -v "$1" '"%s"' "${s//[$'\001'-$'\037']/}"
}
emit_event() { [[ -z ${NBSECURE_EVENTS:-} ]] || printf '%s\n' "$1" >>"$NBSECURE_EVENTS"; }

# A flag of the run (RUN_FLAGS), of the step (set by an operation), or a state line.
nb_flag() {
  case $1 in
    api-key) [[ -n $secret_api_key ]] ;;
    reissue) [[ ${NBSECURE_REISSUE:-} == 1 ]] ;;
    token-at-hand) token_at_hand ;;
    state:*) done_once "${1#state:}" ;;
    # What the executor that runs this script says of itself (the Ansible role): see RUN_FLAGS in operations.ts.
    rest-api) [[ ${NBSECURE_REST_API:-} == 1 && -n $secret_api_key ]] ;;
    per-wave) [[ ${NBSECURE_PER_WAVE:-} == 1 ]] ;;
    token-wait) [[ ${NBSECURE_TOKEN_WAIT:-} == 1 ]] ;;
    secret:token) [[ -n $secret_token || -s ${NBSECURE_TOKEN_FILE:-} ]] ;;
    fact:caFingerprint) [[ -n ${NBSECURE_FACT_CAFINGERPRINT:-} ]] ;;
    fact:*) return 1 ;;
    *) [[ -n ${step_flags[$1]:-} ]] ;;
  esac
}
# Whether every condition (comma-separated, ! negates) holds.
nb_holds() {
  local cond IFS=,
  local -a conds
  # Split on commas alone (a condition may hold a space: state:owed ID); none holds a glob character.
  # shellcheck disable=SC2206
  conds=($1)
  for cond in ${conds[@]+"${conds[@]}"}; do
    if [[ $cond == '!'* ]]; then nb_flag "${cond#!}" && return 1; else nb_flag "$cond" || return 1; fi
  done
  return 0
}

step_begin() {
  step_id=$1 step_stage=$2 step_title=$3 step_outcome='' step_detail='' step_header=''
  step_flags=() step_files=()
  # With NBSECURE_STAGE set, a step of another stage does not run (nor wait at a gate).
  step_over=''
  [[ -z ${NBSECURE_STAGE:-} || $NBSECURE_STAGE == "$step_stage" ]] || step_over=1
}
header() { [[ -n $step_header ]] || printf '\n==> [%s] %s%s\n' "$step_id" "${1:-}" "$step_title"; step_header=1; }
# Ends the step with an outcome: changed, unchanged, skipped.
settle() { step_over=1 step_outcome=$1 step_detail=$2; }
step_end() {
  [[ -n $step_outcome ]] || return 0
  [[ -n ${NBSECURE_EVENTS:-} ]] || return 0
  local id detail
  json_set id "$step_id"
  json_set detail "$step_detail"
  emit_event "{\"type\":\"step-done\",\"step\":$id,\"outcome\":\"$step_outcome\",\"detail\":$detail}"
}
step_failed() {
  rm -f -- ${step_files[@]+"${step_files[@]}"}
  printf '\nFailed: %s (%s): %s\n' "$step_title" "$step_id" "$1" >&2
  failed_event "$1"
  exit 1
}
failed_event() {
  emit_event "{\"type\":\"step-done\",\"step\":$(json_str "$step_id"),\"title\":$(json_str "$step_title"),\"outcome\":\"failed\",\"detail\":$(json_str "$1")}"
}
# The words of a list, as a JSON array.
json_list() {
  local w sep=''
  printf '['
  for w in "$@"; do printf '%s%s' "$sep" "$(json_str "$w")"; sep=,; done
  printf ']'
}
# Why a command failed, from its status: a hang, a missing command, or NetBackup's own status, which its output
# names whole on its status line (the process's exit status keeps only the last 8 bits: 5930 arrives as 42).
failure() {
  local named
  named=$(sed -n "s/.*${status_line} \([0-9][0-9]*\).*/\1/p" "$workdir/output" 2>/dev/null | tail -n 1)
  case $1 in
    124 | 137) [[ -z $have_timeout ]] || { echo "timed out after $step_timeout s and was stopped, with every process it started"; return; } ;;
    126 | 127) echo "cannot run $2 (exit status $1); is NetBackup installed at this host's installPath?"; return ;;
  esac
  echo "exit status ${named:-$1}. NetBackup says why: nbsecure explain ${named:-$1}"
}

# The words of the operation, each file argument ("POSITION:NAME" in files) the path of the file write-file wrote.
nb_argv() {
  local pair
  run_argv=("${words[@]}")
  for pair in ${o[files]:-}; do run_argv[${pair%%:*}]=$workdir/${pair#*:}; done
}
# Runs the operation's command: the API key only for a session, within the step timeout where one can be kept.
as_step() {
  local -a limit=()
  [[ -z $have_timeout ]] || limit=(timeout -k 2 "$step_timeout")
  if [[ -n ${o[session]:-} && -n $secret_api_key ]]; then
    NETBACKUP_APIKEY=$secret_api_key ${limit[@]+"${limit[@]}"} "$@"
  else
    ${limit[@]+"${limit[@]}"} "$@"
  fi
}
# A read's output, and its status in read_status. A done-check judges what it says on either stream, as apply
# does; a parser (with `stdout`) reads its standard output alone.
nb_read() {
  nb_argv
  read_status=0
  if [[ ${1:-} == stdout ]]; then
    read_out=$(as_step "${run_argv[@]}" 2>"$workdir/output") || read_status=$?
  else
    read_out=$(as_step "${run_argv[@]}" 2>&1) || read_status=$?
    printf '%s\n' "$read_out" >"$workdir/output"
  fi
}
# `KEY SEP VALUE` lines: the value of the first line for KEY (spaces around SEP and at the end dropped, CR too).
key_value() {
  local key=$1 sep=$2 line
  while IFS= read -r line; do
    line=${line%$'\r'}
    [[ $line =~ ^[[:space:]]*([^${sep}]*[^${sep}[:space:]])[[:space:]]*"$sep"[[:space:]]*(.*)$ ]] || continue
    if [[ ${BASH_REMATCH[1],,} == "${key,,}" ]]; then
      line=${BASH_REMATCH[2]}
      printf '%s\n' "${line%"${line##*[![:space:]]}"}"
    fi
  done
}
# Dotted versions, compared part by part; missing parts are 0 ("8" is 8.0).
version_before() {
  local -a a b
  local i
  IFS=. read -r -a a <<<"$1"
  IFS=. read -r -a b <<<"$2"
  for ((i = 0; i < ${#a[@]} || i < ${#b[@]}; i++)); do
    ((10#${a[i]:-0} == 10#${b[i]:-0})) || { ((10#${a[i]:-0} < 10#${b[i]:-0})); return; }
  done
  return 1
}

nb_op() {
  local name=$1 k
  shift
  local -A o=()
  local -a words=()
  while (($#)); do
    if [[ $1 == -- ]]; then
      shift
      words=("$@")
      break
    fi
    k=${1%%=*}
    o[$k]=${1#*=}
    shift
  done
  [[ -z $step_over ]] || return 0
  nb_holds "${o[if]:-}" || return 0
  "op_${name//-/_}"
}

op_gate() {
  [[ -z ${NBSECURE_STAGE:-} ]] || return 0
  printf '\nWaiting for the fleet: the %s stage comes after every media server and client has its certificate.\n' "${o[stage]}"
  printf 'Then run this script again with NBSECURE_STAGE=%s%s.\n' "${o[stage]}" "$([[ ${o[stage]} == tighten ]] && echo ', and last with NBSECURE_STAGE=verify')"
  emit_event "{\"type\":\"waiting\",\"for\":\"fleet\",\"stage\":\"${o[stage]}\"}"
  exit 4
}
op_skip() {
  header
  echo "    ${o[say]}"
  settle "${o[outcome]}" "${o[say]}"
}
op_say() {
  header
  if [[ -n ${o[warning]:-} ]]; then warn "${o[text]}"; else echo "    ${o[text]}"; fi
}
# A warning: shown, and an event, which the Ansible role turns into one of Ansible's own warnings.
warn() {
  echo "    WARNING: $1"
  emit_event "{\"type\":\"notice\",\"level\":\"warning\",\"step\":$(json_str "$step_id"),\"text\":$(json_str "$1")}"
}
op_manual() {
  local line
  header 'MANUAL: '
  for line in "${words[@]}"; do printf '    %s\n' "$line"; done
  if [[ -n $check_mode ]]; then
    echo '    (check mode: a person would be asked to do this)'
    settle unchanged 'a person would be asked to do this'
  elif [[ ",${NBSECURE_MANUAL_DONE:-}," == *",$step_id,"* ]]; then
    echo '    (confirmed done through NBSECURE_MANUAL_DONE)'
    settle unchanged 'confirmed done'
  elif [[ -t 0 ]]; then
    read -r -p '    Press Enter when it is done, or Ctrl-C to stop: ' _
    settle unchanged 'confirmed done'
  else
    printf 'stopped at manual step %s: do it, then run again with NBSECURE_MANUAL_DONE=%s\n' "$step_id" "$step_id" >&2
    emit_event "{\"type\":\"manual-needed\",\"step\":$(json_str "$step_id"),\"title\":$(json_str "$step_title"),\"instructions\":$(json_list "${words[@]}")}"
    exit 4
  fi
}
# The REST form is the caller's (rest-api holds only when the Ansible role runs this script with an API key): the
# script stops here for it, and the caller runs it again with the step confirmed.
op_rest() {
  header
  echo "    the REST form of this step, ${o[path]}, is run by the caller"
  emit_event "{\"type\":\"waiting\",\"for\":\"rest\",\"step\":$(json_str "$step_id")}"
  exit 4
}
op_wait() {
  header
  echo "    waiting for the ${o[for]}, which the rollout brings"
  emit_event "{\"type\":\"waiting\",\"for\":\"${o[for]}\",\"step\":$(json_str "$step_id"),\"command\":$(json_list ${words[@]+"${words[@]}"})}"
  exit 4
}
op_probe() {
  header
  nb_read
  [[ $read_status == 0 ]] || return 0
  if [[ -n ${o[match_fact]:-} ]]; then
    grep -Fiq -- "$(fact_value "${o[match_fact]}")" <<<"$read_out" || return 0
  elif [[ -n ${o[match]:-} ]]; then
    grep -Eiq -- "${o[match]}" <<<"$read_out" || return 0
  fi
  step_flags[${o[set]}]=1
}
op_certificate() {
  header
  nb_read
  [[ $read_status == 0 ]] || return 0
  if grep -qiw -- "${o[revoked_word]}" <<<"$read_out"; then
    echo "    the host certificate is ${o[revoked_word]}" >&2
    step_flags[cert-reissue]=1
    return
  fi
  local expiry epoch earliest='' now days day
  while IFS= read -r expiry; do
    epoch=$(date -d "$expiry" +%s 2>/dev/null) || continue
    [[ -n $earliest ]] && ((earliest <= epoch)) || earliest=$epoch
  done < <(key_value "${o[expiry_key]}" "${o[lines_separator]}" <<<"$read_out")
  step_flags[cert-valid]=1
  [[ -n $earliest ]] || return 0
  now=$(date +%s) day=$(date -u -d "@$earliest" +%F) days=$(((earliest - now) / 86400))
  if ((earliest <= now)); then
    unset 'step_flags[cert-valid]'
    step_flags[cert-reissue]=1
    echo "    the host certificate expired on $day" >&2
  elif ((days <= o[warn_days])); then
    warn "the host certificate expires on $day, in $days day$( ((days == 1)) || echo s); ${o[near_end]}"
  fi
}
op_identity() {
  header
  local have
  nb_read stdout
  [[ $read_status == 0 ]] || step_failed "the current configuration could not be read ($(failure "$read_status" "${words[0]}")), so this host's identity cannot be checked"
  have=$(key_value "${o[key]}" "${o[lines_separator]}" <<<"$read_out" | head -n 1)
  if [[ -n $have && $have != "${o[want]}" ]]; then
    step_failed "${o[key]} is ${have} on this host and the plan says ${o[want]}: changing it would change this host's NetBackup identity (its policies, host ID mappings and catalog entries). Correct the answers, or set replaceClientName: true for this host to change it on purpose"
  fi
}
op_config_merge() {
  header
  nb_read stdout
  [[ $read_status == 0 ]] || step_failed "the current configuration could not be read ($(failure "$read_status" "${words[0]}")), so repeated keys cannot be merged safely"
  config_lines=$(config_change "${o[planned]}" "${o[repeated]}" <<<"$read_out")
  [[ -n $config_lines ]] || step_flags[config-same]=1
}
op_legacy_guard() {
  header
  if [[ -n $check_mode ]]; then
    echo '    would check the domain for hosts the answers leave out'
    settle unchanged 'would run'
    return
  fi
  nb_read stdout
  [[ $read_status == 0 ]] || step_failed "$(failure "$read_status" "${words[0]}")"
  local line name='' lname version found='' n
  local -A known=()
  # A known name matches with or without its domain, whatever its case.
  for n in ${o[known],,}; do known[$n]=1 known[${n%%.*}]=1; done
  while IFS= read -r line; do
    line=${line%$'\r'}
    if [[ $line =~ ^[[:space:]]*${o[name_key]}[[:space:]]*${o[lines_separator]}[[:space:]]*\"?([^\"[:space:]]+) ]]; then
      name=${BASH_REMATCH[1]}
    elif [[ -n $name && $line =~ ^[[:space:]]*${o[version_key]}[[:space:]]*${o[lines_separator]}[[:space:]]*([0-9]+(\.[0-9]+)*) ]]; then
      version=${BASH_REMATCH[1]}
      lname=${name,,}
      if [[ ! $version =~ ^0(\.0)*$ ]] && version_before "$version" "${o[before]}" &&
        [[ -z ${known[$lname]:-} && -z ${known[${lname%%.*}]:-} ]]; then
        found+="${found:+, }$name ($version)"
      fi
      name=''
    fi
  done <<<"$read_out"
  [[ -z $found ]] || step_failed "${o[stop]//'{hosts}'/$found}"
  settle unchanged 'no host the answers leave out is too old'
}
op_write_file() {
  local target=$workdir/${o[name]}
  [[ -z $check_mode ]] || return 0
  step_files+=("$target")
  case ${o[from]} in
    secret) write_secret "${o[value]}" "$target" ;;
    content) printf '%s\n' "${o[value]}" >"$target" ;;
    fact) printf '%s\n' "$(fact_value "${o[value]}")" >"$target" ;;
  esac
}
op_run() {
  header
  nb_argv
  # Check mode runs the done-checks alone, and a read whose output other hosts need (the CA fingerprint).
  if [[ -n $check_mode && -z ${o[fact_name]:-} ]]; then
    echo "    would run: ${run_argv[*]}"
    if [[ -n ${o[read]:-} ]]; then settle unchanged 'would run'; else settle changed 'would change'; fi
    return
  fi
  # What this step owes (the restart after it) is recorded before it runs: a kill in the middle of the change
  # must not lose it. A step that then fails with a status of its own changed nothing, and owes nothing new.
  local status=0 out owed_now=() id
  local -a owes=()
  local IFS=' '
  # shellcheck disable=SC2206 # step ids hold no glob character
  owes=(${o[owes]:-})
  for id in ${owes[@]+"${owes[@]}"}; do is_owed "$id" || owed_now+=("$id"); done
  ((${#owed_now[@]} == 0)) || mark_owed "${owed_now[@]}"
  # What a command prints is shown redacted, and kept (redacted) for its status line.
  if [[ -n ${o[capture_shape]:-} ]]; then
    out=$(as_step "${run_argv[@]}" 2>"$workdir/output") || status=$?
    redact <"$workdir/output" >&2
  elif [[ ${o[stdin_from]:-} == config-merge ]]; then
    printf '%s\n' "$config_lines" | as_step "${run_argv[@]}" 2>&1 | redact_copy=$workdir/output redact || status=$?
  elif [[ -n ${o[stdin_text]+set} ]]; then
    printf '%s' "${o[stdin_text]}" | as_step "${run_argv[@]}" 2>&1 | redact_copy=$workdir/output redact || status=$?
  else
    as_step "${run_argv[@]}" 2>&1 | redact_copy=$workdir/output redact || status=$?
  fi
  rm -f -- ${step_files[@]+"${step_files[@]}"}
  step_files=()
  if [[ " ${o[expect_exit]} " != *" $status "* ]]; then
    for id in ${owed_now[@]+"${owed_now[@]}"}; do clear_owed "$id"; done
    [[ -n ${o[tolerate]:-} ]] || step_failed "$(failure "$status" "${run_argv[0]}")"
    echo "    exit status $status: fine, ${o[tolerate]}"
    step_flags[tolerated]=1 step_outcome=unchanged step_detail="exit status $status: fine, ${o[tolerate]}"
    return
  fi
  local fact_detail=''
  if [[ -n ${o[fact_name]:-} ]]; then
    local seen
    seen=$(grep -oE -- "${o[fact_shape]}" "$workdir/output" | tr '[:lower:]' '[:upper:]' | sort -u) || true
    if [[ -n $seen && $seen != *$'\n'* ]]; then
      emit_event "{\"type\":\"fact\",\"name\":$(json_str "${o[fact_name]}"),\"value\":$(json_str "$seen")}"
      fact_detail="read ${o[fact_name]} $seen for the other hosts"
    else
      fact_detail=${o[fact_unclear]//'{count}'/$(grep -c . <<<"$seen")}
      warn "$fact_detail"
    fi
  fi
  if [[ -n ${o[capture_shape]:-} ]]; then
    out=$(grep -oE "\\b${o[capture_shape]}\\b" <<<"$out" | head -n 1) || true
    remember_secret "$out"
    save_private "$token_out" "$out"
    echo "    token saved to $token_out (mode 0600): hand it to the hosts that need it, then delete it"
  fi
  step_outcome=changed step_detail=${fact_detail:-}
  [[ -z ${o[read]:-} ]] || step_outcome=unchanged
}
op_state_add() { [[ -n $check_mode ]] || done_once "${o[key]}" || printf '%s\n' "${o[key]}" >>"$state_file"; }
op_state_remove() { [[ -n $check_mode ]] || remove_state "${o[key]}"; }
op_retire() { [[ -n $check_mode ]] || retire_token; }
op_stop() {
  header
  printf '%s\n' "${o[text]}" >&2
  failed_event "${o[text]}"
  exit "${o[code]}"
}
# A fact the executor read elsewhere and handed over (the CA fingerprint the role read on the primary).
fact_value() {
  case $1 in
    caFingerprint) printf '%s' "${NBSECURE_FACT_CAFINGERPRINT:-}" ;;
  esac
}
# ---- end of the step library ----

# ---- The steps of nbu-primary.corp.example, in order ----

# Write the NetBackup configuration
# Why: Sets SERVER, CLIENT_NAME, GUI_MAX_LOGIN_ATTEMPTS, GUI_ACCOUNT_LOCKOUT_DURATION. Repeated keys are written as the complete list, merged with entries already on the host, because setting one replaces the whole set.
step_begin nbu-primary.corp.example:config.set prepare 'Write the NetBackup configuration'
nb_op identity key=CLIENT_NAME want=nbu-primary.corp.example lines_separator== -- /usr/openv/netbackup/bin/nbgetconfig CLIENT_NAME
nb_op config-merge $'planned=SERVER = nbu-primary.corp.example\nSERVER = nbu-media1.corp.example\nCLIENT_NAME = nbu-primary.corp.example\nGUI_MAX_LOGIN_ATTEMPTS = 5\nGUI_ACCOUNT_LOCKOUT_DURATION = 30\n' repeated=SERVER lines_separator== -- /usr/openv/netbackup/bin/nbgetconfig
nb_op skip if=config-same 'say=no changes: the configuration already matches' outcome=unchanged
nb_op run stdin_from=config-merge expect_exit=0 -- /usr/openv/netbackup/bin/nbsetconfig
step_end

# Read the configuration back
# Why: Confirms that every value the plan owns is now in effect.
step_begin nbu-primary.corp.example:config.verify prepare 'Read the configuration back'
nb_op run expect_exit=0 read=1 -- /usr/openv/netbackup/bin/nbgetconfig SERVER CLIENT_NAME GUI_MAX_LOGIN_ATTEMPTS GUI_ACCOUNT_LOCKOUT_DURATION
step_end

# Log in as a NetBackup administrator
# Why: nbseccmd and nbcertcmd -createToken act for an authenticated administrator; without a session they are refused (status 5930).
step_begin nbu-primary.corp.example:login prepare 'Log in as a NetBackup administrator'
nb_op skip if=api-key 'say=not needed: the API key stands in for the login' outcome=skipped
nb_op manual -- 'On nbu-primary.corp.example, run: bpnbat -login -logintype WEB' 'Give your NetBackup administrator credentials at its prompts (nbsecure never asks for or stores them).' 'With an API key (nbsecure apply --api-key-file FILE, or NBSECURE_API_KEY), nbsecure skips this login and hands the key to the commands that need a session in NETBACKUP_APIKEY.'
step_end

# Show the CA certificate and its fingerprint
# Why: Every other host checks the CA it receives against this fingerprint; put it in certificates.caFingerprint so their steps run unattended and verified. Without it, nbsecure rollout reads the fingerprint here, over Ansible's own authenticated connection to the primary, and that reading is every host's trust anchor.
step_begin nbu-primary.corp.example:ca.show prepare 'Show the CA certificate and its fingerprint'
nb_op run expect_exit=0 fact_name=caFingerprint 'fact_shape=([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}' 'fact_unclear=the primary shows {count} SHA-256 CA fingerprints, so none is handed on: the hosts'\'' CA step stays a person'\''s (put the right one in certificates.caFingerprint)' read=1 -- /usr/openv/netbackup/bin/nbcertcmd -displayCACertDetail
step_end

# Keep audit records for 365 days
# Why: Audit records are how an intrusion is traced; attackers count on them being gone by the time it is found.
step_begin nbu-primary.corp.example:security.audit prepare 'Keep audit records for 365 days'
nb_op probe session=1 'match=\b365\b' set=done -- /usr/openv/netbackup/bin/admincmd/nbseccmd -getsecurityconfig -auditretentionperiod
nb_op skip if=done 'say=already done' outcome=unchanged
nb_op run session=1 expect_exit=0 -- /usr/openv/netbackup/bin/admincmd/nbseccmd -setsecurityconfig -auditretentionperiod 365
step_end

# Log in as a NetBackup administrator
# Why: nbseccmd and nbcertcmd -createToken act for an authenticated administrator; without a session they are refused (status 5930).
step_begin nbu-primary.corp.example:tighten.login tighten 'Log in as a NetBackup administrator'
nb_op gate stage=tighten
nb_op skip if=api-key 'say=not needed: the API key stands in for the login' outcome=skipped
nb_op manual -- 'On nbu-primary.corp.example, run: bpnbat -login -logintype WEB' 'Give your NetBackup administrator credentials at its prompts (nbsecure never asks for or stores them).' 'With an API key (nbsecure apply --api-key-file FILE, or NBSECURE_API_KEY), nbsecure skips this login and hands the key to the commands that need a session in NETBACKUP_APIKEY.'
step_end

# Turn insecure communication on
# Why: Hosts at 8.0 or earlier (old1.corp.example 8.0) can only talk insecurely; it stays on until they are upgraded.
step_begin nbu-primary.corp.example:security.insecure tighten 'Turn insecure communication on'
nb_op probe session=1 'match=\bon\b' set=done -- /usr/openv/netbackup/bin/admincmd/nbseccmd -getsecurityconfig -insecurecommunication
nb_op skip if=done 'say=already done' outcome=unchanged
nb_op run session=1 expect_exit=0 -- /usr/openv/netbackup/bin/admincmd/nbseccmd -setsecurityconfig -insecurecommunication on
step_end

# Read the insecure communication setting back
# Why: Confirms it is on.
step_begin nbu-primary.corp.example:security.insecure.verify tighten 'Read the insecure communication setting back'
nb_op run session=1 expect_exit=0 read=1 -- /usr/openv/netbackup/bin/admincmd/nbseccmd -getsecurityconfig -insecurecommunication
step_end

# Set data-in-transit encryption to Preferred On
# Why: Preferred On: data is encrypted on the wire unless a client or policy opts out.
step_begin nbu-primary.corp.example:security.dte tighten 'Set data-in-transit encryption to Preferred On'
nb_op probe session=1 'match=PREFERRED.?ON' set=done -- /usr/openv/netbackup/bin/admincmd/nbseccmd -getsecurityconfig -dteglobalmode
nb_op skip if=done 'say=already done' outcome=unchanged
nb_op run session=1 expect_exit=0 -- /usr/openv/netbackup/bin/admincmd/nbseccmd -setsecurityconfig -dteglobalmode 1
step_end

# Read the data-in-transit encryption mode back
# Why: Confirms it is Preferred On.
step_begin nbu-primary.corp.example:security.dte.verify tighten 'Read the data-in-transit encryption mode back'
nb_op run session=1 expect_exit=0 read=1 -- /usr/openv/netbackup/bin/admincmd/nbseccmd -getsecurityconfig -dteglobalmode
step_end

# Set the certificate deployment security level to High
# Why: There is no documented nbseccmd flag for this setting, so nbsecure does not invent one. With an API key nbsecure reads the security properties and sends only the fields that differ.
step_begin nbu-primary.corp.example:security.level tighten 'Set the certificate deployment security level to High'
nb_op rest if=rest-api path=/security/properties 'settings=[{"name":"certificateAutoDeployLevel","value":1,"accept":[]},{"name":"allowInsecureBackLevelHost","value":true,"accept":[]},{"name":"dteGlobalMode","value":1,"accept":["PREFERRED_ON"]}]'
nb_op manual 'if=!rest-api' -- 'In the web UI: Security > Global security settings > Secure communication, set the level to High.' 'Or with an API key, from any host that reaches the primary (the key in a file readable by you alone, as the line "Authorization: KEY"; here nbsecure-apikey-header, in the current folder):' 'curl -s --insecure -H '\''Accept: application/vnd.netbackup+json;version=6.0'\'' https://nbu-primary.corp.example:1556/netbackup/security/cacert | jq -r .webRootCert > nbsecure-ca.pem' 'openssl x509 -in nbsecure-ca.pem -noout -fingerprint -sha256   # must print the fingerprint nbcertcmd -displayCACertDetail shows; stop if it does not' 'curl --fail --cacert nbsecure-ca.pem -H @nbsecure-apikey-header -H '\''Accept: application/vnd.netbackup+json;version=6.0'\'' -H '\''Content-Type: application/vnd.netbackup+json;version=6.0'\'' -X POST --data '\''{"certificateAutoDeployLevel":1,"allowInsecureBackLevelHost":true,"dteGlobalMode":1}'\'' https://nbu-primary.corp.example:1556/netbackup/security/properties' 'An answer 202 with the header X-NetBackup-MFA-Request asks for a one-time password; nbsecure apply --api-key-file does all of this and asks for it.' 'VERIFY FOR YOUR VERSION: the media type version 6.0 (vendor API samples with API keys (media type version 6.0); the reference gives the form only)' 'VERIFY FOR YOUR VERSION: dteGlobalMode 1 for Preferred On (API reference, security properties; value form not documented)'
step_end

printf '\nnbsecure: all steps for %s are done.\n' nbu-primary.corp.example
