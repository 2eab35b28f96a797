/** Help texts: what a new user needs to do the next thing, per command. */
export const HELP: Record<string, string> = {
  main: `nbsecure: plan and apply a secure, hardened NetBackup deployment

Usage:
  nbsecure [--profile NAME]     guided wizard (needs a terminal); answers remembered per profile
  nbsecure --plain              the same questions, line by line (dumb terminals, screen readers)
  nbsecure --forget             remove the remembered answers
  nbsecure plan    --answers FILE [--out DIR] [--format F[,F...]] [--host NAME] [--json]
  nbsecure apply   (--answers FILE | --plan PLAN.json) --host NAME [--dry-run] [--yes] [--resume]
  nbsecure doctor  [--answers FILE --host NAME | --primary NAME --tunnel MEDIA[,MEDIA]] [--json] [--timeout S]
  nbsecure rollout (--answers FILE | --plan PLAN.json) [--inventory FILE] [--check] [--yes] [--json]
  nbsecure explain STATUS       what a NetBackup exit status means, e.g. nbsecure explain 5955
  nbsecure COMMAND --help       details of one command
  nbsecure --version

Start with an answers file (examples/ has five) and:
  nbsecure plan --answers examples/dmz.yaml --out runbooks/

Exit codes: 0 success, 1 a step or check failed, 2 usage error or invalid answers,
3 stale or tampered plan, 4 waiting for a person (a manual step, a one-time password, an approval,
or the fleet), 130 interrupted.
NO_COLOR is honoured.`,

  plan: `nbsecure plan: write the runbooks for an environment

Usage: nbsecure plan (--answers FILE | --plan PLAN.json --allowed-signers FILE) [--out DIR] [--format F[,F...]]
                     [--host NAME] [--json] [--sign KEY]

  --answers FILE   the answers file (YAML or JSON, version 1)
  --plan PLAN.json re-render every format from a saved, signed plan (see --allowed-signers)
  --out DIR        write one file per host and format, plus runbook.md and plan.json;
                   all files are rendered before any is written, each written atomically
  --format LIST    markdown, sh, ps1, bpconf, json, answerfile (comma-separated);
                   default: markdown to stdout, or every format with --out
  --host NAME      only this host's outputs
  --json           stdout is machine-readable only (plan.json, or a list of written files)
  --sign KEY       with --out: sign plan.json with your SSH key (ssh-keygen -Y sign, namespace
                   nbsecure-plan), the signature beside it as plan.json.sig
  --allowed-signers FILE  the SSH keys allowed to sign plans (ssh-keygen's allowed_signers format)

A plan that travels must be signed: apply, rollout and plan take --plan PLAN.json only with a valid
signature by a key in --allowed-signers, or with --answers FILE to check it against its answers.

Nothing is run and nothing is changed on any host.`,

  explain: `nbsecure explain: what a NetBackup exit status means

Usage: nbsecure explain STATUS [--json]

Prints the meaning, the likely cause in the scenarios nbsecure plans, the remedy and the source.`,

  apply: `nbsecure apply: run one host's steps on this machine, after a dry run and your consent

Usage: nbsecure apply (--answers FILE | --plan PLAN.json) --host NAME [--dry-run] [--yes] [--resume]
                      [--token-file FILE] [--passphrase-file FILE] [--state-dir DIR]
                      [--confirm STEP[,STEP]] [--step-timeout S] [--reissue] [--stage NAME]
                      [--api-key-file FILE] [--otp CODE] [--api-url URL] [--allowed-signers FILE]

  --answers FILE     plan from an answers file now
  --plan PLAN.json   run a saved plan (refused with exit 3 if tampered, or stale against --answers);
                     without --answers it must be signed (nbsecure plan --sign KEY)
  --allowed-signers FILE  the SSH keys allowed to sign plans; its signature is PLAN.json.sig
  --host NAME        the host this machine is; its steps run here, in order
  --dry-run          print every step exactly as it would run, run nothing that changes the host
  --yes              consent without asking (needed without a terminal)
  --resume           continue from the first step not done in the journal
  --token-file FILE  the authorization token (mode 0600; or NBSECURE_TOKEN, or a hidden prompt)
  --passphrase-file FILE  the external CA key passphrase (mode 0600; or NBSECURE_PASSPHRASE, or a prompt)
  --api-key-file FILE  a NetBackup API key (mode 0600; or NBSECURE_API_KEY): no login step, the commands
                     that need a session get it in NETBACKUP_APIKEY, and the security level is set over
                     REST (TLS pinned to certificates.caFingerprint)
  --otp CODE         the one-time password, when the primary holds a change for one (with --resume)
  --api-url URL      the primary's REST API base (default https://PRIMARY:1556/netbackup), e.g. a proxy
  --confirm STEP     a manual step you have done (e.g. login); repeat or separate with commas
  --state-dir DIR    journal and saved configuration (default $XDG_STATE_HOME/nbsecure)
  --step-timeout S   seconds one step may take (default 600)
  --stage NAME       run only this stage of the host: prepare, media, clients, tighten or verify; without
                     it the primary stops before tighten (exit 4) until every host has its certificate
  --reissue          the token given is a reissue token: a host whose certificate expired or was revoked
                     gets a new one (-getCertificate -force)`,

  rollout: `nbsecure rollout: roll the plan out across the fleet with ansible-playbook

Usage: nbsecure rollout (--answers FILE | --plan PLAN.json) [--inventory FILE] [--check] [--yes]
                        [--limit PATTERN] [--forks N] [--json] [--out DIR] [--confirm STEP[,STEP]]
                        [--media-batch N] [--waves LIST] [--max-fail-percentage N] [--api-key-file FILE]
                        [--otp CODE] [--api-url URL] [--allowed-signers FILE]

  --plan PLAN.json   roll out a saved plan: signed (--allowed-signers FILE), or checked against --answers
  --inventory FILE   your Ansible inventory (SSH, WinRM); default: the rendered inventory.yml
  --check            stop after the dry run (ansible-playbook --check --diff)
  --yes              consent without asking (needed without a terminal)
  --limit PATTERN    only these hosts (ansible-playbook --limit)
  --forks N          hosts in parallel (ansible-playbook --forks)
  --json             stdout is JSON lines: every event, then the report
  --out DIR          keep the rendered playbook in DIR/ansible (default: a temporary folder)
  --confirm STEP     a manual step you have done (e.g. login); repeat or separate with commas
  --media-batch N    media servers at a time (default 5); one failure stops the stage
  --waves LIST       client waves, counts or percentages (default 1,10%,25%)
  --max-fail-percentage N  a wave goes on while at most N% of its hosts failed (default 10)
  --api-key-file FILE  a NetBackup API key (mode 0600; or NBSECURE_API_KEY): the login steps are skipped and
                     the commands that act as an administrator get it in NETBACKUP_APIKEY, and the level
                     is set over REST pinned to the CA fingerprint; never logged
  --otp CODE         the one-time password, when the primary holds the level change for one
  --api-url URL      the primary's REST API base (default https://PRIMARY:1556/netbackup), e.g. a proxy

The API key and the one-time password reach ansible-playbook in a file only you can read, removed once it
has read it; never in its environment, which every worker and every command it starts would inherit.

Stages run in order: prepare the primary, media servers in batches, clients in canary waves, tighten
the domain once every host has its certificate, then verify and delete the token. The report is written
as rollout-report.md and rollout-report.json (in --out DIR, else here).`,

  doctor: `nbsecure doctor: which path can a client use to reach the primary?

Usage: nbsecure doctor [--answers FILE --host NAME | --primary NAME --tunnel MEDIA[,MEDIA]] [--json] [--timeout S]

Tries, in NetBackup's order: the primary directly (TCP and TLS on 1556), then each tunnel media
server named for the host (HTTP CONNECT on 1556, then TLS through it), then the other media servers.
Without arguments it reads SERVER and MEDIA_SERVER from this host's configuration.
With --primary it also checks the primary's REST API: its version (/security/serverinfo), its CA against
the fingerprint of --answers FILE or --ca-fingerprint FP, and the API key (--api-key-file FILE or
NBSECURE_API_KEY; --api-url URL for another base). With a fingerprint given, a failed check exits 1.
Exit 0 when a path works, 1 when none does, 2 on usage errors.`,
};
