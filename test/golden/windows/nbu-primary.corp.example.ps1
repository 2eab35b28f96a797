#Requires -Version 5.1
# nbsecure: steps for nbu-primary.corp.example (primary, windows, NetBackup 11.1)
# Plan digest b1b781f1a8151294e9c4dc39e7aca388c342486ef39113be198b4d3f0b664704. Generated: change the answers and run `nbsecure plan` again instead of editing.
# Run in an elevated PowerShell on nbu-primary.corp.example. The token comes from $env:NBSECURE_TOKEN_FILE,
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
$stateFile = if ($env:NBSECURE_STATE_FILE) { $env:NBSECURE_STATE_FILE } else { '.\nbsecure-nbu-primary.corp.example.state' }
$HostName = 'nbu-primary.corp.example'
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
$NbRoot = Find-NetBackupRoot @('C:\Program Files\Cohesity NetBackup', 'C:\Program Files\Veritas')
Write-Host "NetBackup install folder: $NbRoot"

# ---- The steps of nbu-primary.corp.example, in order ----
try {

  # Write the NetBackup configuration
  # Why: Sets SERVER, CLIENT_NAME, GUI_MAX_LOGIN_ATTEMPTS, GUI_ACCOUNT_LOCKOUT_DURATION. Repeated keys are written as the complete list, merged with entries already on the host, because setting one replaces the whole set.
  Start-Step 'nbu-primary.corp.example:config.set' 'prepare' 'Write the NetBackup configuration'
  Invoke-Op 'identity' @{ 'key' = 'CLIENT_NAME'; 'want' = 'nbu-primary.corp.example'; 'lines_separator' = '=' } @((Join-Path $NbRoot 'NetBackup\bin\nbgetconfig.exe'), 'CLIENT_NAME')
  Invoke-Op 'config-merge' @{ 'planned' = "SERVER = nbu-primary.corp.example`nSERVER = nbu-media1.corp.example`nSERVER = nbu-media2.corp.example`nCLIENT_NAME = nbu-primary.corp.example`nGUI_MAX_LOGIN_ATTEMPTS = 5`nGUI_ACCOUNT_LOCKOUT_DURATION = 30`n"; 'repeated' = 'SERVER'; 'lines_separator' = '=' } @((Join-Path $NbRoot 'NetBackup\bin\nbgetconfig.exe'))
  Invoke-Op 'skip' @{ 'if' = 'config-same'; 'say' = 'no changes: the configuration already matches'; 'outcome' = 'unchanged' }
  Invoke-Op 'run' @{ 'stdin_from' = 'config-merge'; 'expect_exit' = '0' } @((Join-Path $NbRoot 'NetBackup\bin\nbsetconfig.exe'))
  Complete-Step

  # Read the configuration back
  # Why: Confirms that every value the plan owns is now in effect.
  Start-Step 'nbu-primary.corp.example:config.verify' 'prepare' 'Read the configuration back'
  Invoke-Op 'run' @{ 'expect_exit' = '0'; 'read' = '1' } @((Join-Path $NbRoot 'NetBackup\bin\nbgetconfig.exe'), 'SERVER', 'CLIENT_NAME', 'GUI_MAX_LOGIN_ATTEMPTS', 'GUI_ACCOUNT_LOCKOUT_DURATION')
  Complete-Step

  # Log in as a NetBackup administrator
  # Why: nbseccmd and nbcertcmd -createToken act for an authenticated administrator; without a session they are refused (status 5930).
  Start-Step 'nbu-primary.corp.example:login' 'prepare' 'Log in as a NetBackup administrator'
  Invoke-Op 'skip' @{ 'if' = 'api-key'; 'say' = 'not needed: the API key stands in for the login'; 'outcome' = 'skipped' }
  Invoke-Op 'manual' @{  } @('On nbu-primary.corp.example, run: bpnbat.exe -login -logintype WEB', 'Give your NetBackup administrator credentials at its prompts (nbsecure never asks for or stores them).', 'With an API key (nbsecure apply --api-key-file FILE, or NBSECURE_API_KEY), nbsecure skips this login and hands the key to the commands that need a session in NETBACKUP_APIKEY.')
  Complete-Step

  # Show the CA certificate and its fingerprint
  # Why: Every other host checks the CA it receives against this fingerprint; put it in certificates.caFingerprint so their steps run unattended and verified.
  Start-Step 'nbu-primary.corp.example:ca.show' 'prepare' 'Show the CA certificate and its fingerprint'
  Invoke-Op 'run' @{ 'expect_exit' = '0'; 'read' = '1' } @((Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe'), '-displayCACertDetail')
  Complete-Step

  # Delete an earlier token "win-rollout" whose value is not at hand
  # Why: A token made by an earlier, interrupted run cannot be handed to anyone: its value was never captured. It is deleted so that a fresh one can be made under the same name.
  Start-Step 'nbu-primary.corp.example:token.replace' 'prepare' 'Delete an earlier token "win-rollout" whose value is not at hand'
  Invoke-Op 'skip' @{ 'if' = 'per-wave'; 'say' = 'the rollout makes this per wave of hosts'; 'outcome' = 'skipped' }
  Invoke-Op 'skip' @{ 'if' = 'token-at-hand'; 'say' = 'skipped: the token captured earlier is at hand'; 'outcome' = 'skipped' }
  Invoke-Op 'run' @{ 'session' = '1'; 'expect_exit' = '0'; 'tolerate' = 'there was no such token' } @((Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe'), '-deleteToken', '-name', 'win-rollout')
  Complete-Step

  # Create the authorization token "win-rollout" for 7 hosts
  # Why: Needed by nbu-media1.corp.example, nbu-media2.corp.example, sql1.corp.example, files1.corp.example, kiosk1.branch.example, lnx1.corp.example, new2.corp.example. The token is a credential: nbsecure captures it into a 0600 file and never prints it; it expires after 12H.
  Start-Step 'nbu-primary.corp.example:token.create' 'prepare' 'Create the authorization token "win-rollout" for 7 hosts'
  Invoke-Op 'skip' @{ 'if' = 'per-wave'; 'say' = 'the rollout makes this per wave of hosts'; 'outcome' = 'skipped' }
  Invoke-Op 'skip' @{ 'if' = 'token-at-hand'; 'say' = 'skipped: the token captured earlier is at hand'; 'outcome' = 'skipped' }
  Invoke-Op 'run' @{ 'session' = '1'; 'expect_exit' = '0'; 'capture_secret' = 'token'; 'capture_shape' = '[A-Z]{16}' } @((Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe'), '-createToken', '-name', 'win-rollout', '-maxUses', '10', '-validFor', '12H', '-reason', 'nbsecure certificate rollout')
  Complete-Step

  # Keep audit records for 365 days
  # Why: Audit records are how an intrusion is traced; attackers count on them being gone by the time it is found.
  Start-Step 'nbu-primary.corp.example:security.audit' 'prepare' 'Keep audit records for 365 days'
  Invoke-Op 'probe' @{ 'session' = '1'; 'match' = '\b365\b'; 'set' = 'done' } @((Join-Path $NbRoot 'NetBackup\bin\admincmd\nbseccmd.exe'), '-getsecurityconfig', '-auditretentionperiod')
  Invoke-Op 'skip' @{ 'if' = 'done'; 'say' = 'already done'; 'outcome' = 'unchanged' }
  Invoke-Op 'run' @{ 'session' = '1'; 'expect_exit' = '0' } @((Join-Path $NbRoot 'NetBackup\bin\admincmd\nbseccmd.exe'), '-setsecurityconfig', '-auditretentionperiod', '365')
  Complete-Step

  # Turn on NAT support for the clients behind NAT
  # Why: kiosk1.branch.example is behind dynamic NAT: they reach the primary through the messaging broker, and once NAT support is on, servers fail to communicate with any client that has NAT support disabled unless ENABLE_DIRECT_CONNECTION is TRUE on them.
  Start-Step 'nbu-primary.corp.example:nat.support' 'prepare' 'Turn on NAT support for the clients behind NAT'
  Invoke-Op 'manual' @{  } @('In the web UI, turn on NAT support for the domain as the NAT guide for your version says; this starts the messaging broker (nbmqbroker) on the primary.', 'On each server that must still reach clients without NAT support, set ENABLE_DIRECT_CONNECTION = TRUE (nbsetconfig), then check that backups of those clients still run.', 'External certificates are not enrolled automatically for NAT clients: enrol them on each client.')
  Complete-Step

  # Log in as a NetBackup administrator
  # Why: nbseccmd and nbcertcmd -createToken act for an authenticated administrator; without a session they are refused (status 5930).
  Start-Step 'nbu-primary.corp.example:tighten.login' 'tighten' 'Log in as a NetBackup administrator'
  Invoke-Op 'gate' @{ 'stage' = 'tighten' }
  Invoke-Op 'skip' @{ 'if' = 'api-key'; 'say' = 'not needed: the API key stands in for the login'; 'outcome' = 'skipped' }
  Invoke-Op 'manual' @{  } @('On nbu-primary.corp.example, run: bpnbat.exe -login -logintype WEB', 'Give your NetBackup administrator credentials at its prompts (nbsecure never asks for or stores them).', 'With an API key (nbsecure apply --api-key-file FILE, or NBSECURE_API_KEY), nbsecure skips this login and hands the key to the commands that need a session in NETBACKUP_APIKEY.')
  Complete-Step

  # Check the domain for hosts at 8.0 or earlier that the answers do not list
  # Why: Turning insecure communication off cuts off every host at 8.0 or earlier, listed or not; this stops the run before the change if the primary knows such a host that the answers leave out.
  # VERIFY FOR YOUR VERSION: the layout of nbemmcmd -listhosts -verbose (MachineName and NetBackupVersion lines) is not documented; check that it lists your hosts with their versions
  Start-Step 'nbu-primary.corp.example:security.insecure.domain' 'tighten' 'Check the domain for hosts at 8.0 or earlier that the answers do not list'
  Invoke-Op 'legacy-guard' @{ 'name_key' = 'MachineName'; 'version_key' = 'NetBackupVersion'; 'before' = '8.1'; 'known' = 'nbu-primary.corp.example nbu-media1.corp.example nbu-media2.corp.example sql1.corp.example files1.corp.example kiosk1.branch.example lnx1.corp.example new2.corp.example'; 'lines_separator' = '='; 'stop' = 'the domain knows {hosts}, at 8.0 or earlier and not in the answers: turning insecure communication off would cut them off. Upgrade or decommission them, or add them to the answers (insecure communication then stays on), and run again' } @((Join-Path $NbRoot 'NetBackup\bin\admincmd\nbemmcmd.exe'), '-listhosts', '-verbose')
  Complete-Step

  # Turn insecure communication off
  # Why: No host is at 8.0 or earlier, so nothing needs the insecure protocol; leaving it on lets any 8.0 host talk to the domain unauthenticated.
  Start-Step 'nbu-primary.corp.example:security.insecure' 'tighten' 'Turn insecure communication off'
  Invoke-Op 'probe' @{ 'session' = '1'; 'match' = '\boff\b'; 'set' = 'done' } @((Join-Path $NbRoot 'NetBackup\bin\admincmd\nbseccmd.exe'), '-getsecurityconfig', '-insecurecommunication')
  Invoke-Op 'skip' @{ 'if' = 'done'; 'say' = 'already done'; 'outcome' = 'unchanged' }
  Invoke-Op 'run' @{ 'session' = '1'; 'expect_exit' = '0'; 'owes' = 'nbu-primary.corp.example:services.stop nbu-primary.corp.example:services.start' } @((Join-Path $NbRoot 'NetBackup\bin\admincmd\nbseccmd.exe'), '-setsecurityconfig', '-insecurecommunication', 'off')
  Complete-Step

  # Read the insecure communication setting back
  # Why: Confirms it is off.
  Start-Step 'nbu-primary.corp.example:security.insecure.verify' 'tighten' 'Read the insecure communication setting back'
  Invoke-Op 'run' @{ 'session' = '1'; 'expect_exit' = '0'; 'read' = '1' } @((Join-Path $NbRoot 'NetBackup\bin\admincmd\nbseccmd.exe'), '-getsecurityconfig', '-insecurecommunication')
  Complete-Step

  # Stop the NetBackup services on the primary
  # Why: Turning insecure communication off takes effect only after the primary's services restart. This interrupts running backup and restore jobs: choose a quiet window.
  # VERIFY FOR YOUR VERSION: NetBackup Administrator's Guide (flags differ by version: check yours)
  Start-Step 'nbu-primary.corp.example:services.stop' 'tighten' 'Stop the NetBackup services on the primary'
  Invoke-Op 'skip' @{ 'if' = '!state:owed nbu-primary.corp.example:services.stop'; 'say' = 'skipped: nothing changed that needs it'; 'outcome' = 'skipped' }
  Invoke-Op 'say' @{ 'text' = 'This interrupts running backup and restore jobs.' }
  Invoke-Op 'run' @{ 'stdin_text' = "y`n"; 'expect_exit' = '0'; 'interrupts' = '1' } @((Join-Path $NbRoot 'NetBackup\bin\bpdown.exe'))
  Invoke-Op 'state-remove' @{ 'if' = '!tolerated'; 'key' = 'owed nbu-primary.corp.example:services.stop' }
  Complete-Step

  # Start the NetBackup services on the primary
  # Why: Brings the primary back with the new setting in effect.
  # VERIFY FOR YOUR VERSION: NetBackup Administrator's Guide (flags differ by version: check yours)
  Start-Step 'nbu-primary.corp.example:services.start' 'tighten' 'Start the NetBackup services on the primary'
  Invoke-Op 'skip' @{ 'if' = '!state:owed nbu-primary.corp.example:services.start'; 'say' = 'skipped: nothing changed that needs it'; 'outcome' = 'skipped' }
  Invoke-Op 'say' @{ 'text' = 'This interrupts running backup and restore jobs.' }
  Invoke-Op 'run' @{ 'expect_exit' = '0'; 'interrupts' = '1' } @((Join-Path $NbRoot 'NetBackup\bin\bpup.exe'))
  Invoke-Op 'state-remove' @{ 'if' = '!tolerated'; 'key' = 'owed nbu-primary.corp.example:services.start' }
  Complete-Step

  # Set data-in-transit encryption to Preferred On
  # Why: Preferred On: data is encrypted on the wire unless a client or policy opts out.
  Start-Step 'nbu-primary.corp.example:security.dte' 'tighten' 'Set data-in-transit encryption to Preferred On'
  Invoke-Op 'probe' @{ 'session' = '1'; 'match' = 'PREFERRED.?ON'; 'set' = 'done' } @((Join-Path $NbRoot 'NetBackup\bin\admincmd\nbseccmd.exe'), '-getsecurityconfig', '-dteglobalmode')
  Invoke-Op 'skip' @{ 'if' = 'done'; 'say' = 'already done'; 'outcome' = 'unchanged' }
  Invoke-Op 'run' @{ 'session' = '1'; 'expect_exit' = '0' } @((Join-Path $NbRoot 'NetBackup\bin\admincmd\nbseccmd.exe'), '-setsecurityconfig', '-dteglobalmode', '1')
  Complete-Step

  # Read the data-in-transit encryption mode back
  # Why: Confirms it is Preferred On.
  Start-Step 'nbu-primary.corp.example:security.dte.verify' 'tighten' 'Read the data-in-transit encryption mode back'
  Invoke-Op 'run' @{ 'session' = '1'; 'expect_exit' = '0'; 'read' = '1' } @((Join-Path $NbRoot 'NetBackup\bin\admincmd\nbseccmd.exe'), '-getsecurityconfig', '-dteglobalmode')
  Complete-Step

  # Set the certificate deployment security level to Very High
  # Why: There is no documented nbseccmd flag for this setting, so nbsecure does not invent one. With an API key nbsecure reads the security properties and sends only the fields that differ.
  Start-Step 'nbu-primary.corp.example:security.level' 'tighten' 'Set the certificate deployment security level to Very High'
  Invoke-Op 'rest' @{ 'if' = 'rest-api'; 'path' = '/security/properties'; 'settings' = '[{"name":"certificateAutoDeployLevel","value":0,"accept":[]},{"name":"allowInsecureBackLevelHost","value":false,"accept":[]},{"name":"dteGlobalMode","value":1,"accept":["PREFERRED_ON"]}]' }
  Invoke-Op 'manual' @{ 'if' = '!rest-api' } @('In the web UI: Security > Global security settings > Secure communication, set the level to Very High.', 'Or with an API key, from any host that reaches the primary (the key in a file readable by you alone, as the line "Authorization: KEY"; here nbsecure-apikey-header, in the current folder):', 'curl -s --insecure -H ''Accept: application/vnd.netbackup+json;version=6.0'' https://nbu-primary.corp.example:1556/netbackup/security/cacert | jq -r .webRootCert > nbsecure-ca.pem', 'openssl x509 -in nbsecure-ca.pem -noout -fingerprint -sha256   # must print C2:7D:A7:77:CE:C3:90:C2:BD:87:73:D9:07:DF:F1:E7:5E:3F:43:93:3A:1C:50:55:9B:65:F5:4D:CF:D6:09:F7; stop if it does not', 'curl --fail --cacert nbsecure-ca.pem -H @nbsecure-apikey-header -H ''Accept: application/vnd.netbackup+json;version=6.0'' -H ''Content-Type: application/vnd.netbackup+json;version=6.0'' -X POST --data ''{"certificateAutoDeployLevel":0,"allowInsecureBackLevelHost":false,"dteGlobalMode":1}'' https://nbu-primary.corp.example:1556/netbackup/security/properties', 'An answer 202 with the header X-NetBackup-MFA-Request asks for a one-time password; nbsecure apply --api-key-file does all of this and asks for it.', 'VERIFY FOR YOUR VERSION: the media type version 6.0 (vendor API samples with API keys (media type version 6.0); the reference gives the form only)', 'VERIFY FOR YOUR VERSION: certificateAutoDeployLevel 0 for Very High', 'VERIFY FOR YOUR VERSION: dteGlobalMode 1 for Preferred On (API reference, security properties; value form not documented)')
  Complete-Step

  # Log in as a NetBackup administrator
  # Why: nbseccmd and nbcertcmd -createToken act for an authenticated administrator; without a session they are refused (status 5930).
  Start-Step 'nbu-primary.corp.example:verify.login' 'verify' 'Log in as a NetBackup administrator'
  Invoke-Op 'gate' @{ 'stage' = 'verify' }
  Invoke-Op 'skip' @{ 'if' = 'api-key'; 'say' = 'not needed: the API key stands in for the login'; 'outcome' = 'skipped' }
  Invoke-Op 'manual' @{  } @('On nbu-primary.corp.example, run: bpnbat.exe -login -logintype WEB', 'Give your NetBackup administrator credentials at its prompts (nbsecure never asks for or stores them).', 'With an API key (nbsecure apply --api-key-file FILE, or NBSECURE_API_KEY), nbsecure skips this login and hands the key to the commands that need a session in NETBACKUP_APIKEY.')
  Complete-Step

  # Delete the rollout token "win-rollout"
  # Why: Every host that needed it has its certificate by now: a token left behind is a credential anyone who finds it could use until it expires. Its captured copy is removed too.
  Start-Step 'nbu-primary.corp.example:token.delete' 'verify' 'Delete the rollout token "win-rollout"'
  Invoke-Op 'skip' @{ 'if' = 'per-wave'; 'say' = 'the rollout makes this per wave of hosts'; 'outcome' = 'skipped' }
  Invoke-Op 'run' @{ 'session' = '1'; 'expect_exit' = '0'; 'tolerate' = 'the token was already deleted or has expired' } @((Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe'), '-deleteToken', '-name', 'win-rollout')
  Invoke-Op 'retire' @{ 'if' = '!tolerated'; 'secret' = 'token' }
  Complete-Step

  Write-Host "`nnbsecure: all steps for nbu-primary.corp.example are done."
} finally {
  Remove-Item -Recurse -Force -Path $workdir -ErrorAction SilentlyContinue
}
