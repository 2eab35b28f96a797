#Requires -Version 5.1
# nbsecure: steps for old1.corp.example (client, windows, NetBackup 8.0)
# Plan digest 4937cb4a2cc0a534f78c24b85e8e08477b54585d0cb28e7fecfb5248f5c47005. Generated: change the answers and run `nbsecure plan` again instead of editing.
# Run in an elevated PowerShell on old1.corp.example. The token comes from $env:NBSECURE_TOKEN_FILE,
# $env:NBSECURE_TOKEN or a hidden prompt (the ECA key passphrase likewise: NBSECURE_PASSPHRASE_FILE,
# NBSECURE_PASSPHRASE), and reaches NetBackup only through a file readable by you alone, removed after its step.
# An API key ($env:NBSECURE_API_KEY_FILE or $env:NBSECURE_API_KEY) stands in for the web login; only the commands
# that act as an administrator get it.
# Manual steps stop the script unless listed in $env:NBSECURE_MANUAL_DONE (comma-separated step ids).
# $env:NBSECURE_STAGE runs one stage (prepare, media, clients, tighten, verify); without it the script stops
# before a stage that waits for the fleet. $env:NBSECURE_CHECK=1 runs only the read-only checks and prints what
# would change; $env:NBSECURE_STEP_TIMEOUT (seconds, default 600) stops a command that hangs; $env:NBSECURE_EVENTS
# names a file that gets each step's outcome as a JSON line. Exit status: 0 done, 1 a step failed, 4 waiting.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$stateFile = if ($env:NBSECURE_STATE_FILE) { $env:NBSECURE_STATE_FILE } else { '.\nbsecure-old1.corp.example.state' }
$HostName = 'old1.corp.example'
$TokenShape = '[A-Z]{16}'
$StatusLine = 'EXIT STATUS'

# ---- nbsecure step library (PowerShell): the same for every Windows host; the steps below are Step operations
# it interprets (src/plan/operations.ts), as lib.sh does on POSIX hosts. ----

# Secrets given in the environment are read once and taken out of it: no command this script runs inherits them.
$script:SecretToken = $env:NBSECURE_TOKEN
$script:SecretPassphrase = $env:NBSECURE_PASSPHRASE
Remove-Item -Path 'Env:NBSECURE_TOKEN', 'Env:NBSECURE_PASSPHRASE' -ErrorAction SilentlyContinue
# The API key (NBSECURE_API_KEY_FILE, else NBSECURE_API_KEY) stands in for a person's login. Only the commands that
# act as an administrator get it, as NETBACKUP_APIKEY in their environment; a key already in the shell reaches none.
$script:SecretApiKey = $env:NBSECURE_API_KEY
if ($env:NBSECURE_API_KEY_FILE) { $script:SecretApiKey = Get-Content -LiteralPath $env:NBSECURE_API_KEY_FILE -TotalCount 1 }
Remove-Item -Path 'Env:NBSECURE_API_KEY', 'Env:NBSECURE_API_KEY_FILE', 'Env:NETBACKUP_APIKEY' -ErrorAction SilentlyContinue

# The secrets this run knows: every line a command prints passes Hide-Secret first, as in apply and lib.sh.
$script:Known = [System.Collections.Generic.List[string]]::new()
function Add-Known([string]$Value) { if ($Value -and $Value.Length -ge 4) { $script:Known.Add($Value) } }
Add-Known $script:SecretToken
Add-Known $script:SecretPassphrase
Add-Known $script:SecretApiKey
foreach ($f in @($env:NBSECURE_TOKEN_FILE, $env:NBSECURE_PASSPHRASE_FILE)) {
  if ($f -and (Test-Path -LiteralPath $f)) { Add-Known (Get-Content -LiteralPath $f -TotalCount 1) }
}
function Hide-Secret([string]$Line) {
  foreach ($s in $script:Known) { $Line = $Line.Replace($s, '[REDACTED]') }
  return $Line
}

# Named for its host: a run killed in the middle leaves it behind, and the next run (or the role) removes it.
$workdir = Join-Path ([IO.Path]::GetTempPath()) ("nbsecure-secrets-$HostName-" + [Guid]::NewGuid())
New-Item -ItemType Directory -Path $workdir | Out-Null
$tokenOut = if ($env:NBSECURE_TOKEN_OUT) { $env:NBSECURE_TOKEN_OUT } else { '.\nbsecure-token' }
$script:StepTimeout = if ($env:NBSECURE_STEP_TIMEOUT) { [int]$env:NBSECURE_STEP_TIMEOUT } else { 600 }
if ($script:StepTimeout -le 0) {
  [Console]::Error.WriteLine("NBSECURE_STEP_TIMEOUT $env:NBSECURE_STEP_TIMEOUT must be a whole number of seconds above 0.")
  exit 2
}
$script:CheckMode = $env:NBSECURE_CHECK -eq '1'

# What must survive a failed run lives in the state file beside the script: steps done once (a revocation)
# and steps still owed (the restart after a setting changed, until it has run).
function Test-DoneOnce([string]$Id) { (Test-Path $stateFile) -and (@(Get-Content $stateFile) -contains $Id) }
function Add-State([string]$Line) { if (-not (Test-DoneOnce $Line)) { Add-Content -Path $stateFile -Value $Line } }
function Remove-State([string]$Line) {
  if (-not (Test-Path $stateFile)) { return }
  Set-Content -Path $stateFile -Value @(@(Get-Content $stateFile) | Where-Object { $_ -ne $Line })
}

function Protect-File([string]$Path) {
  icacls $Path /inheritance:r /grant:r "$($env:USERNAME):(R,W)" | Out-Null
}

# The steps' outcomes as JSON lines (the vocabulary of nbsecure apply --json), for the Ansible role.
function Write-Event([hashtable]$Event) {
  if ($env:NBSECURE_EVENTS) { Add-Content -Path $env:NBSECURE_EVENTS -Value ($Event | ConvertTo-Json -Compress) }
}

# One Windows command line from words: each quoted as the C runtime reads it back (backslashes before a quote
# doubled), so that every word arrives whole. Windows PowerShell 5.1 has no argument list of its own.
function ConvertTo-CommandLine([string[]]$Words) {
  $quoted = foreach ($w in $Words) {
    if ($w -and $w -notmatch '[\s"]') { $w } else { '"' + (($w -replace '(\\*)"', '$1$1\"') -replace '(\\+)$', '$1$1') + '"' }
  }
  return $quoted -join ' '
}

# Runs a command given as its words; its output in $script:Output and its status returned. Stopped, with all it
# started, when it takes longer than the step timeout; without a shell, with the API key only for a session.
function Invoke-Native([string[]]$Words, [string]$Stdin, [bool]$Session) {
  $info = [Diagnostics.ProcessStartInfo]::new($Words[0], (ConvertTo-CommandLine @($Words | Select-Object -Skip 1)))
  $info.UseShellExecute = $false
  $info.RedirectStandardOutput = $true
  $info.RedirectStandardError = $true
  $info.RedirectStandardInput = $true
  if ($Session -and $script:SecretApiKey) { $info.EnvironmentVariables['NETBACKUP_APIKEY'] = $script:SecretApiKey }
  $script:StdOut = ''
  try { $p = [Diagnostics.Process]::Start($info) }
  catch {
    $script:Output = "cannot run $($Words[0]) ($($_.Exception.Message)); is NetBackup installed at this host's installPath?"
    return -1
  }
  $out = $p.StandardOutput.ReadToEndAsync()
  $err = $p.StandardError.ReadToEndAsync()
  if ($Stdin) { $p.StandardInput.Write($Stdin) }
  $p.StandardInput.Close()
  if (-not $p.WaitForExit($script:StepTimeout * 1000)) {
    taskkill /T /F /PID $p.Id 2>&1 | Out-Null
    $script:Output = "timed out after $($script:StepTimeout) s and was stopped, with every process it started"
    return -2
  }
  $p.WaitForExit()
  $script:StdOut = $out.Result
  $script:Output = $out.Result + $err.Result
  return $p.ExitCode
}

# Why a command failed: a hang, a missing command, or NetBackup's status, which its output names whole.
function Get-Failure([int]$Status) {
  if ($Status -lt 0) { return $script:Output }
  $named = [regex]::Match($script:Output, "$StatusLine (\d+)")
  $code = if ($named.Success) { $named.Groups[1].Value } else { $Status }
  return "exit status $code. NetBackup says why: nbsecure explain $code"
}

function Get-Fact([string]$Name) {
  if ($Name -eq 'caFingerprint') { return "$env:NBSECURE_FACT_CAFINGERPRINT" }
  return ''
}

# Writes a secret (the token or the key passphrase) to a file readable by you alone; never on a command line.
function Write-Secret([string]$Kind, [string]$Target) {
  $file = if ($Kind -eq 'token') { $env:NBSECURE_TOKEN_FILE } else { $env:NBSECURE_PASSPHRASE_FILE }
  $value = if ($Kind -eq 'token') { $script:SecretToken } else { $script:SecretPassphrase }
  if (-not $file -and -not $value -and [Console]::IsInputRedirected) {
    $name = if ($Kind -eq 'token') { 'NBSECURE_TOKEN' } else { 'NBSECURE_PASSPHRASE' }
    Stop-Step "it needs the $Kind, and none was given: set ${name}_FILE (a file readable by you alone) or $name"
  }
  New-Item -ItemType File -Force -Path $Target | Out-Null
  Protect-File $Target
  if ($file) { Get-Content -Raw $file | Set-Content -NoNewline $Target }
  elseif ($value) { Set-Content -Path $Target -Value $value }
  else {
    $typed = [Net.NetworkCredential]::new('', (Read-Host -AsSecureString "$Kind (hidden)")).Password
    Add-Known $typed
    Set-Content -Path $Target -Value $typed
  }
}

# Whether the token an earlier run captured is at hand: without its value a token is useless.
# A retired token (deleted after the rollout) counts as at hand: no step may make another.
function Test-TokenAtHand {
  (Test-Path "$tokenOut.retired") -or ((Test-Path $tokenOut) -and ((Get-Content -Raw $tokenOut).Trim() -cmatch "^$TokenShape$"))
}

# `KEY SEP VALUE` lines: the values of KEY, in order (spaces around SEP and at the ends dropped, CR too).
function Get-KeyValues([string]$Text, [string]$Key, [string]$Sep) {
  foreach ($line in ($Text -split "`n")) {
    $i = $line.IndexOf($Sep)
    if ($i -gt 0 -and $line.Substring(0, $i).Trim() -eq $Key) { $line.Substring($i + 1).Trim() }
  }
}

# Dotted versions, part by part; missing parts are 0 ("8" is 8.0).
function Test-VersionBefore([string]$Version, [string]$Bound) {
  $a = @($Version.Split('.')); $b = @($Bound.Split('.'))
  for ($i = 0; $i -lt [math]::Max($a.Count, $b.Count); $i++) {
    $x = if ($i -lt $a.Count) { [int]$a[$i] } else { 0 }
    $y = if ($i -lt $b.Count) { [int]$b[$i] } else { 0 }
    if ($x -ne $y) { return $x -lt $y }
  }
  return $false
}

# What nbsetconfig must be given, exactly as apply computes it: only the owned keys whose values differ,
# each as its complete list; a repeated key keeps the host's other values after the planned ones.
function Get-ConfigChange([string]$Planned, [string[]]$Repeated, [string]$Current, [string]$Sep) {
  $want = [ordered]@{}
  foreach ($line in ($Planned.TrimEnd("`n") -split "`n")) {
    $i = $line.IndexOf($Sep)
    if ($i -gt 0) {
      $k = $line.Substring(0, $i).Trim()
      if (-not $want.Contains($k)) { $want[$k] = @() }
      $want[$k] += $line.Substring($i + 1).Trim()
    }
  }
  $out = @()
  foreach ($k in $want.Keys) {
    $h = @(Get-KeyValues $Current $k $Sep)
    $d = @($want[$k])
    if ($Repeated -contains $k) { $d += @($h | Where-Object { $want[$k] -notcontains $_ }) }
    if (($d -join "`n") -cne ($h -join "`n")) { $out += @($d | ForEach-Object { "$k $Sep $_" }) }
  }
  if ($out.Count) { return ($out -join "`n") + "`n" }
  return ''
}

# ---- One step: Start-Step, its operations (Invoke-Op), Complete-Step. ----
function Start-Step([string]$Id, [string]$Stage, [string]$Title) {
  $script:Step = @{ Id = $Id; Stage = $Stage; Title = $Title; Flags = @{}; Files = @(); Header = $false }
  # With NBSECURE_STAGE set, a step of another stage does not run (nor wait at a gate).
  $script:Step.Over = $env:NBSECURE_STAGE -and $env:NBSECURE_STAGE -ne $Stage
}
function Write-Header([string]$Prefix = '') {
  if (-not $script:Step.Header) { Write-Host "`n==> [$($script:Step.Id)] $Prefix$($script:Step.Title)" }
  $script:Step.Header = $true
}
function Complete-Step {
  if ($script:Step.Outcome) {
    Write-Event @{
      type = 'step-done'; step = $script:Step.Id; outcome = $script:Step.Outcome; detail = "$($script:Step.Detail)"
    }
  }
}
function Set-Outcome([string]$Outcome, [string]$Detail, [bool]$Ends) {
  $script:Step.Outcome = $Outcome
  $script:Step.Detail = $Detail
  if ($Ends) { $script:Step.Over = $true }
}
function Stop-Step([string]$Why) {
  $script:Step.Files | ForEach-Object { Remove-Item -Force -Path $_ -ErrorAction SilentlyContinue }
  [Console]::Error.WriteLine("`nFailed: $($script:Step.Title) ($($script:Step.Id)): $Why")
  Write-Event @{
    type = 'step-done'; step = $script:Step.Id; title = $script:Step.Title; outcome = 'failed'; detail = $Why
  }
  exit 1
}

# A flag of the run (RUN_FLAGS in operations.ts), of the step (set by an operation), or a state line.
function Test-Flag([string]$Name) {
  switch -Wildcard ($Name) {
    'api-key' { return [bool]$script:SecretApiKey }
    'reissue' { return $env:NBSECURE_REISSUE -eq '1' }
    'token-at-hand' { return Test-TokenAtHand }
    'state:*' { return Test-DoneOnce $Name.Substring(6) }
    'rest-api' { return $env:NBSECURE_REST_API -eq '1' -and [bool]$script:SecretApiKey }
    'per-wave' { return $env:NBSECURE_PER_WAVE -eq '1' }
    'token-wait' { return $env:NBSECURE_TOKEN_WAIT -eq '1' }
    'secret:token' { return [bool]$script:SecretToken -or [bool]$env:NBSECURE_TOKEN_FILE }
    'fact:*' { return [bool](Get-Fact $Name.Substring(5)) }
    default { return [bool]$script:Step.Flags[$Name] }
  }
}
function Test-Conditions([string]$Conditions) {
  foreach ($c in @($Conditions.Split(',') | Where-Object { $_ })) {
    if ($c.StartsWith('!')) { if (Test-Flag $c.Substring(1)) { return $false } }
    elseif (-not (Test-Flag $c)) { return $false }
  }
  return $true
}

# The operation's words, each file argument ("POSITION:NAME" in files) the path of the file write-file wrote.
function Resolve-Words([hashtable]$O, [string[]]$Words) {
  $run = @($Words)
  foreach ($pair in @("$($O.files)".Split(' ') | Where-Object { $_ })) {
    $index, $name = $pair.Split(':', 2)
    $run[[int]$index] = Join-Path $workdir $name
  }
  return , $run
}

function Invoke-Op([string]$Name, [hashtable]$O, [string[]]$Words = @()) {
  if ($script:Step.Over -or -not (Test-Conditions "$($O['if'])")) { return }
  $pascal = $Name.Split('-') | ForEach-Object { $_.Substring(0, 1).ToUpper() + $_.Substring(1) }
  $handler = 'Invoke-Op' + ($pascal -join '')
  & $handler $O $Words
}

function Invoke-OpGate([hashtable]$O, [string[]]$Words) {
  if ($env:NBSECURE_STAGE) { return }
  Write-Host "`nWaiting for the fleet: the $($O.stage) stage comes after every media server and client has its certificate."
  $last = if ($O.stage -eq 'tighten') { ', and last with NBSECURE_STAGE=verify' } else { '' }
  Write-Host "Then run this script again with NBSECURE_STAGE=$($O.stage)$last."
  Write-Event @{ type = 'waiting'; for = 'fleet'; stage = $O.stage }
  exit 4
}
function Invoke-OpSkip([hashtable]$O, [string[]]$Words) {
  Write-Header
  Write-Host "    $($O.say)"
  Set-Outcome $O.outcome $O.say $true
}
function Invoke-OpSay([hashtable]$O, [string[]]$Words) {
  Write-Header
  if ($O.warning) { Write-Warn $O.text } else { Write-Host "    $($O.text)" }
}
function Write-Warn([string]$Text) {
  Write-Host "    WARNING: $Text"
  Write-Event @{ type = 'notice'; level = 'warning'; step = $script:Step.Id; text = $Text }
}
function Invoke-OpManual([hashtable]$O, [string[]]$Words) {
  Write-Header 'MANUAL: '
  $Words | ForEach-Object { Write-Host "    $_" }
  $id = $script:Step.Id
  if ($script:CheckMode) {
    Write-Host '    (check mode: a person would be asked to do this)'
    Set-Outcome 'unchanged' 'a person would be asked to do this' $true
  } elseif ((",$env:NBSECURE_MANUAL_DONE,") -like "*,$id,*") {
    Write-Host '    (confirmed done through NBSECURE_MANUAL_DONE)'
    Set-Outcome 'unchanged' 'confirmed done' $true
  } elseif ([Environment]::UserInteractive -and -not [Console]::IsInputRedirected) {
    Read-Host '    Press Enter when it is done, or Ctrl-C to stop' | Out-Null
    Set-Outcome 'unchanged' 'confirmed done' $true
  } else {
    [Console]::Error.WriteLine("stopped at manual step ${id}: do it, then run again with NBSECURE_MANUAL_DONE=$id")
    Write-Event @{ type = 'manual-needed'; step = $id; title = $script:Step.Title; instructions = @($Words) }
    exit 4
  }
}
# The REST form is the caller's (rest-api holds only when the Ansible role runs this script with an API key).
function Invoke-OpRest([hashtable]$O, [string[]]$Words) {
  Write-Header
  Write-Host "    the REST form of this step, $($O.path), is run by the caller"
  Write-Event @{ type = 'waiting'; for = 'rest'; step = $script:Step.Id }
  exit 4
}
function Invoke-OpWait([hashtable]$O, [string[]]$Words) {
  Write-Header
  Write-Host "    waiting for the $($O.for), which the rollout brings"
  Write-Event @{ type = 'waiting'; for = $O.for; step = $script:Step.Id; command = @($Words) }
  exit 4
}
function Invoke-OpProbe([hashtable]$O, [string[]]$Words) {
  Write-Header
  if ((Invoke-Native (Resolve-Words $O $Words) '' ($O.session -eq '1')) -ne 0) { return }
  if ($O.match_fact) {
    if ($script:Output.IndexOf((Get-Fact $O.match_fact), [StringComparison]::OrdinalIgnoreCase) -lt 0) { return }
  }
  elseif ($O.match -and $script:Output -notmatch $O.match) { return }
  $script:Step.Flags[$O.set] = $true
}
function Invoke-OpCertificate([hashtable]$O, [string[]]$Words) {
  Write-Header
  if ((Invoke-Native $Words '' ($O.session -eq '1')) -ne 0) { return }
  if ($script:Output -match "\b$([regex]::Escape($O.revoked_word))\b") {
    [Console]::Error.WriteLine("    the host certificate is $($O.revoked_word)")
    $script:Step.Flags['cert-reissue'] = $true
    return
  }
  $script:Step.Flags['cert-valid'] = $true
  $dates = @(Get-KeyValues $script:Output $O.expiry_key $O.lines_separator | ForEach-Object {
      $d = [datetime]::MinValue
      if ([datetime]::TryParse($_, [ref]$d)) { $d.ToUniversalTime() }
    } | Sort-Object)
  if (-not $dates.Count) { return }
  $expiry = $dates[0]
  $days = [int][math]::Floor(($expiry - [datetime]::UtcNow).TotalDays)
  $day = $expiry.ToString('yyyy-MM-dd')
  if ($expiry -le [datetime]::UtcNow) {
    [Console]::Error.WriteLine("    the host certificate expired on $day")
    $script:Step.Flags.Remove('cert-valid')
    $script:Step.Flags['cert-reissue'] = $true
  } elseif ($days -le [int]$O.warn_days) {
    $s = if ($days -eq 1) { '' } else { 's' }
    Write-Warn "the host certificate expires on $day, in $days day$s; $($O.near_end)"
  }
}
function Invoke-OpIdentity([hashtable]$O, [string[]]$Words) {
  Write-Header
  $status = Invoke-Native $Words '' $false
  if ($status -ne 0) {
    Stop-Step "the current configuration could not be read ($(Get-Failure $status)), so this host's identity cannot be checked"
  }
  $have = @(Get-KeyValues $script:StdOut $O.key $O.lines_separator) | Select-Object -First 1
  if ($have -and $have -ne $O.want) {
    Stop-Step ("$($O.key) is $have on this host and the plan says $($O.want): changing it would change this host's" +
      ' NetBackup identity (its policies, host ID mappings and catalog entries). Correct the answers, or set' +
      ' replaceClientName: true for this host to change it on purpose')
  }
}
function Invoke-OpConfigMerge([hashtable]$O, [string[]]$Words) {
  Write-Header
  $status = Invoke-Native $Words '' $false
  if ($status -ne 0) {
    Stop-Step "the current configuration could not be read ($(Get-Failure $status)), so repeated keys cannot be merged safely"
  }
  $script:ConfigLines = Get-ConfigChange $O.planned @("$($O.repeated)".Split(' ')) $script:StdOut $O.lines_separator
  if (-not $script:ConfigLines) { $script:Step.Flags['config-same'] = $true }
}
function Invoke-OpLegacyGuard([hashtable]$O, [string[]]$Words) {
  Write-Header
  if ($script:CheckMode) {
    Write-Host '    would check the domain for hosts the answers leave out'
    Set-Outcome 'unchanged' 'would run' $true
    return
  }
  $status = Invoke-Native $Words '' ($O.session -eq '1')
  if ($status -ne 0) { Stop-Step (Get-Failure $status) }
  $ok = @{}
  foreach ($k in "$($O.known)".ToLower().Split(' ')) { $ok[$k] = $true; $ok[$k.Split('.')[0]] = $true }
  $name = $null
  $found = @()
  foreach ($line in ($script:StdOut -split "`n")) {
    $i = $line.IndexOf($O.lines_separator)
    if ($i -le 0) { continue }
    $key = $line.Substring(0, $i).Trim()
    $value = $line.Substring($i + 1).Trim()
    if ($key -eq $O.name_key) { $name = $value.Trim('"').Split(' ')[0] }
    elseif ($name -and $key -eq $O.version_key -and $value -match '^\d+(\.\d+)*') {
      $v = $Matches[0]
      if ($v -notmatch '^0(\.0)*$' -and (Test-VersionBefore $v $O.before) -and -not $ok[$name.ToLower()] -and
        -not $ok[$name.ToLower().Split('.')[0]]) { $found += "$name ($v)" }
      $name = $null
    }
  }
  if ($found.Count) { Stop-Step $O.stop.Replace('{hosts}', ($found -join ', ')) }
  Set-Outcome 'unchanged' 'no host the answers leave out is too old' $true
}
function Invoke-OpWriteFile([hashtable]$O, [string[]]$Words) {
  if ($script:CheckMode) { return }
  $target = Join-Path $workdir $O.name
  $script:Step.Files += $target
  switch ($O.from) {
    'secret' { Write-Secret $O.value $target }
    'content' { Set-Content -Path $target -Value $O.value }
    'fact' { Set-Content -Path $target -Value (Get-Fact $O.value) }
  }
}
function Invoke-OpRun([hashtable]$O, [string[]]$Words) {
  Write-Header
  $run = Resolve-Words $O $Words
  # Check mode runs the done-checks alone, and a read whose output other hosts need (the CA fingerprint).
  if ($script:CheckMode -and -not $O.fact_name) {
    Write-Host "    would run: $($run -join ' ')"
    if ($O.read) { Set-Outcome 'unchanged' 'would run' $true } else { Set-Outcome 'changed' 'would change' $true }
    return
  }
  # What this step owes (the restart after it) is recorded before it runs: a kill in the middle of the change
  # must not lose it. A step that then fails with a status of its own changed nothing, and owes nothing new.
  $owedNow = @("$($O.owes)".Split(' ') | Where-Object { $_ -and -not (Test-DoneOnce "owed $_") })
  foreach ($id in $owedNow) { Add-State "owed $id" }
  $stdin = if ($O.stdin_from -eq 'config-merge') { $script:ConfigLines } else { "$($O.stdin_text)" }
  try { $status = Invoke-Native $run $stdin ($O.session -eq '1') }
  finally { $script:Step.Files | ForEach-Object { Remove-Item -Force -Path $_ -ErrorAction SilentlyContinue } }
  $script:Step.Files = @()
  if (-not $O.capture_shape) { ($script:Output -split "`n") | ForEach-Object { Write-Host (Hide-Secret $_) } }
  if (@("$($O.expect_exit)".Split(' ')) -notcontains "$status") {
    foreach ($id in $owedNow) { Remove-State "owed $id" }
    if (-not $O.tolerate) { Stop-Step (Get-Failure $status) }
    Write-Host "    exit status ${status}: fine, $($O.tolerate)"
    $script:Step.Flags['tolerated'] = $true
    Set-Outcome 'unchanged' "exit status ${status}: fine, $($O.tolerate)" $false
    return
  }
  $detail = ''
  if ($O.fact_name) {
    $found = [regex]::Matches($script:Output, $O.fact_shape)
    $seen = @($found | ForEach-Object { $_.Value.ToUpper() } | Sort-Object -Unique)
    if ($seen.Count -eq 1) {
      Write-Event @{ type = 'fact'; name = $O.fact_name; value = $seen[0] }
      $detail = "read $($O.fact_name) $($seen[0]) for the other hosts"
    } else {
      $detail = $O.fact_unclear.Replace('{count}', [string]$seen.Count)
      Write-Warn $detail
    }
  }
  if ($O.capture_shape) {
    $token = [regex]::Match($script:StdOut, "\b$($O.capture_shape)\b").Value
    Add-Known $token
    New-Item -ItemType File -Force -Path $tokenOut | Out-Null
    Protect-File $tokenOut
    $token | Set-Content -Path $tokenOut
    Write-Host "    token saved to $tokenOut (readable by you alone): hand it to the hosts that need it, then delete it"
  }
  $outcome = if ($O.read) { 'unchanged' } else { 'changed' }
  Set-Outcome $outcome "$detail" $false
}
function Invoke-OpStateAdd([hashtable]$O, [string[]]$Words) { if (-not $script:CheckMode) { Add-State $O.key } }
function Invoke-OpStateRemove([hashtable]$O, [string[]]$Words) { if (-not $script:CheckMode) { Remove-State $O.key } }
function Invoke-OpRetire([hashtable]$O, [string[]]$Words) {
  if ($script:CheckMode) { return }
  Remove-Item -Force -Path $tokenOut -ErrorAction SilentlyContinue
  Set-Content -Path "$tokenOut.retired" -Value 'deleted after the rollout'
}
function Invoke-OpStop([hashtable]$O, [string[]]$Words) {
  Write-Header
  [Console]::Error.WriteLine($O.text)
  Write-Event @{
    type = 'step-done'; step = $script:Step.Id; title = $script:Step.Title; outcome = 'failed'; detail = $O.text
  }
  exit ([int]$O.code)
}
# ---- end of the step library ----

# The install folder: an upgraded host keeps the folder of its first version, so it is found here, not
# assumed. The registry's install folder first (value name unconfirmed), then the candidates that exist.
function Find-NetBackupRoot([string[]]$Candidates) {
  $reg = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Veritas\NetBackup\CurrentVersion' -ErrorAction SilentlyContinue
  if ($reg -and $reg.PSObject.Properties['InstallDir'] -and (Test-Path (Join-Path $reg.InstallDir 'NetBackup\bin'))) {
    return $reg.InstallDir.TrimEnd('\')
  }
  foreach ($c in $Candidates) { if (Test-Path (Join-Path $c 'NetBackup\bin')) { return $c } }
  throw "NetBackup was found in none of: $($Candidates -join ', '); give installPath for this host in the answers."
}
$NbRoot = Find-NetBackupRoot @('C:\Program Files\Veritas', 'C:\Program Files\Cohesity NetBackup')
Write-Host "NetBackup install folder: $NbRoot"

# ---- The steps of old1.corp.example, in order ----
try {

  # Write the NetBackup configuration
  # Why: Sets SERVER, CLIENT_NAME. Repeated keys are written as the complete list, merged with entries already on the host, because setting one replaces the whole set.
  Start-Step 'old1.corp.example:config.set' 'clients' 'Write the NetBackup configuration'
  Invoke-Op 'identity' @{ 'key' = 'CLIENT_NAME'; 'want' = 'old1.corp.example'; 'lines_separator' = '=' } @((Join-Path $NbRoot 'NetBackup\bin\nbgetconfig.exe'), 'CLIENT_NAME')
  Invoke-Op 'config-merge' @{ 'planned' = "SERVER = nbu-primary.corp.example`nSERVER = nbu-media1.corp.example`nCLIENT_NAME = old1.corp.example`n"; 'repeated' = 'SERVER'; 'lines_separator' = '=' } @((Join-Path $NbRoot 'NetBackup\bin\nbgetconfig.exe'))
  Invoke-Op 'skip' @{ 'if' = 'config-same'; 'say' = 'no changes: the configuration already matches'; 'outcome' = 'unchanged' }
  Invoke-Op 'run' @{ 'stdin_from' = 'config-merge'; 'expect_exit' = '0' } @((Join-Path $NbRoot 'NetBackup\bin\nbsetconfig.exe'))
  Complete-Step

  # Read the configuration back
  # Why: Confirms that every value the plan owns is now in effect.
  Start-Step 'old1.corp.example:config.verify' 'clients' 'Read the configuration back'
  Invoke-Op 'run' @{ 'expect_exit' = '0'; 'read' = '1' } @((Join-Path $NbRoot 'NetBackup\bin\nbgetconfig.exe'), 'SERVER', 'CLIENT_NAME')
  Complete-Step

  Write-Host "`nnbsecure: all steps for old1.corp.example are done."
} finally {
  Remove-Item -Recurse -Force -Path $workdir -ErrorAction SilentlyContinue
}
