#Requires -Version 5.1
# nbsecure: steps for nbu-primary.corp.example (primary, windows, NetBackup 11.1)
# Plan digest ee3fe6763bd61966b5f01c40b260405e1bee78ff5a3b13aa49971b9e122c42ae. Generated: change the answers and run `nbsecure plan` again instead of editing.
# Run in an elevated PowerShell on nbu-primary.corp.example. The token comes from $env:NBSECURE_TOKEN_FILE,
# $env:NBSECURE_TOKEN or a hidden prompt (the ECA key passphrase likewise: NBSECURE_PASSPHRASE_FILE,
# NBSECURE_PASSPHRASE), and reaches NetBackup only through a file readable by you alone, removed after its step.
# An API key ($env:NBSECURE_API_KEY_FILE or $env:NBSECURE_API_KEY) stands in for the web login; only the commands
# that act as an administrator get it.
# Manual steps stop the script unless listed in $env:NBSECURE_MANUAL_DONE (comma-separated step ids).
# $env:NBSECURE_STAGE runs one stage (prepare, media, clients, tighten, verify); without it the script stops
# before a stage that waits for the fleet. Exit status: 0 done, 1 a step failed, 4 waiting for a person.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$stateFile = if ($env:NBSECURE_STATE_FILE) { $env:NBSECURE_STATE_FILE } else { '.\nbsecure-nbu-primary.corp.example.state' }
$TokenShape = '[A-Z]{16}'

# ---- nbsecure step library (PowerShell): the same for every host; the steps below are data it interprets. ----
# The twin of lib.sh, function for function; both follow the runner (nbsecure apply).

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

$workdir = Join-Path ([IO.Path]::GetTempPath()) ("nbsecure-" + [Guid]::NewGuid())
New-Item -ItemType Directory -Path $workdir | Out-Null
$tokenOut = if ($env:NBSECURE_TOKEN_OUT) { $env:NBSECURE_TOKEN_OUT } else { '.\nbsecure-token' }

# What must survive a failed run lives in the state file beside the script: steps done once (a revocation)
# and steps still owed (the restart after a setting changed, until it has run).
function Test-DoneOnce([string]$Id) { (Test-Path $stateFile) -and (@(Get-Content $stateFile) -contains $Id) }
function Add-Owed([string[]]$Ids) {
  foreach ($i in $Ids) { if (-not (Test-DoneOnce "owed $i")) { Add-Content -Path $stateFile -Value "owed $i" } }
}
function Test-Owed([string]$Id) { Test-DoneOnce "owed $Id" }
function Clear-Owed([string]$Id) {
  if (-not (Test-Path $stateFile)) { return }
  Set-Content -Path $stateFile -Value @(@(Get-Content $stateFile) | Where-Object { $_ -ne "owed $Id" })
}

# The step's commands get the API key when the step acts as an administrator; every other command runs without it.
function Set-Session([hashtable]$S) {
  if ($S.Session -and $script:SecretApiKey) { $env:NETBACKUP_APIKEY = $script:SecretApiKey }
  else { Remove-Item -Path 'Env:NETBACKUP_APIKEY' -ErrorAction SilentlyContinue }
}

# Runs a command given as its words (the command first); returns its exit status. Stdin, when given, is piped.
function Invoke-Argv([string[]]$Argv, [string]$Stdin) {
  $rest = @($Argv | Select-Object -Skip 1)
  if ($PSBoundParameters.ContainsKey('Stdin')) {
    $Stdin | & $Argv[0] @rest 2>&1 | ForEach-Object { Hide-Secret "$_" } | Out-Host
  } else {
    & $Argv[0] @rest 2>&1 | ForEach-Object { Hide-Secret "$_" } | Out-Host
  }
  return $LASTEXITCODE
}

# $true when the read-only check says the step is already done (and its output matches, if a pattern is given).
function Test-Done([string]$Pattern, [string[]]$Argv) {
  $out = & $Argv[0] @($Argv | Select-Object -Skip 1) 2>&1 | Out-String
  if ($LASTEXITCODE -ne 0) { return $false }
  return (-not $Pattern) -or ($out -match $Pattern)
}

function Invoke-Manual([string]$Id, [string]$Title, [string[]]$Lines) {
  Write-Host "`n==> [$Id] MANUAL: $Title"
  $Lines | ForEach-Object { Write-Host "    $_" }
  if ((",$env:NBSECURE_MANUAL_DONE,") -like "*,$Id,*") {
    Write-Host '    (confirmed done through NBSECURE_MANUAL_DONE)'
  } elseif ([Environment]::UserInteractive -and -not [Console]::IsInputRedirected) {
    Read-Host '    Press Enter when it is done, or Ctrl-C to stop' | Out-Null
  } else {
    [Console]::Error.WriteLine("stopped at manual step ${Id}: do it, then run again with NBSECURE_MANUAL_DONE=$Id")
    exit 4
  }
}

# The rollout's stages: with NBSECURE_STAGE set, only that stage's steps run; without it, the script
# stops (exit 4) before a stage that waits for the fleet (tighten, verify on the primary).
function Test-RunStage([string]$Stage) { (-not $env:NBSECURE_STAGE) -or ($env:NBSECURE_STAGE -eq $Stage) }
function Assert-StageGate([string]$Stage) {
  if ($env:NBSECURE_STAGE) { return }
  Write-Host "`nWaiting for the fleet: the $Stage stage comes after every media server and client has its certificate."
  $last = if ($Stage -eq 'tighten') { ', and last with NBSECURE_STAGE=verify' } else { '' }
  Write-Host "Then run this script again with NBSECURE_STAGE=$Stage$last."
  exit 4
}

function Protect-File([string]$Path) {
  icacls $Path /inheritance:r /grant:r "$($env:USERNAME):(R,W)" | Out-Null
}

# Writes a secret (the token or the key passphrase) to a file readable by you alone; never on a command line.
function Write-Secret([string]$Kind, [string]$Target) {
  New-Item -ItemType File -Force -Path $Target | Out-Null
  Protect-File $Target
  $file = if ($Kind -eq 'token') { $env:NBSECURE_TOKEN_FILE } else { $env:NBSECURE_PASSPHRASE_FILE }
  $value = if ($Kind -eq 'token') { $script:SecretToken } else { $script:SecretPassphrase }
  if ($file) { Get-Content -Raw $file | Set-Content -NoNewline $Target }
  elseif ($value) { Set-Content -Path $Target -Value $value }
  else {
    $secure = Read-Host -AsSecureString "$Kind (hidden)"
    $typed = [Net.NetworkCredential]::new('', $secure).Password
    Add-Known $typed
    Set-Content -Path $Target -Value $typed
  }
}

# Stops when this host already holds another value for a key that is its NetBackup identity (CLIENT_NAME).
function Assert-Identity([string]$Key, [string]$Want, [string[]]$Argv) {
  foreach ($line in @(& $Argv[0] @($Argv | Select-Object -Skip 1) 2>$null)) {
    if ($line -match "^\s*$Key\s*=\s*(.*)$" -and $Matches[1].Trim() -ne $Want) {
      [Console]::Error.WriteLine("$Key is $($Matches[1].Trim()) on this host and the plan says $Want" +
        ": changing it would change this host's NetBackup identity (its policies, host ID mappings and catalog" +
        ' entries). Correct the answers, or set replaceClientName: true for this host to change it on purpose.')
      exit 1
    }
  }
}

# Stops when the domain's host list (nbemmcmd -listhosts -verbose) holds a host at 8.0 or earlier
# that the answers do not name: insecure communication off would cut it off. Reads MachineName and
# NetBackupVersion lines (layout unconfirmed).
function Assert-NoUnlistedLegacy([string]$Known, [string[]]$Argv) {
  $ok = @{}
  foreach ($k in $Known.Split(' ')) { $ok[$k.ToLower()] = $true; $ok[$k.ToLower().Split('.')[0]] = $true }
  $name = $null
  $found = @()
  foreach ($line in @(& $Argv[0] @($Argv | Select-Object -Skip 1))) {
    if ($line -match '^\s*MachineName\s*=\s*"?([^"\s]+)') { $name = $Matches[1] }
    elseif ($name -and $line -match '^\s*NetBackupVersion\s*=\s*(\d+(?:\.\d+)*)') {
      $v = $Matches[1]
      $p = $v.Split('.') | ForEach-Object { [int]$_ }
      $legacy = ($p[0] -lt 8) -or ($p[0] -eq 8 -and $p.Count -gt 1 -and $p[1] -eq 0)
      $short = $name.ToLower().Split('.')[0]
      if ($v -notmatch '^0(\.0)*$' -and $legacy -and -not $ok[$name.ToLower()] -and -not $ok[$short]) { $found += "$name ($v)" }
      $name = $null
    }
  }
  if ($found.Count) {
    [Console]::Error.WriteLine("the domain knows $($found -join ', '), at 8.0 or earlier and not in the answers:" +
      ' turning insecure communication off would cut them off. Upgrade or decommission them, or add them to the' +
      ' answers (insecure communication then stays on), and run again.')
    exit 1
  }
}

# The state of the host certificate that nbcertcmd -listCertDetails lists: valid, 'expiring WORDS',
# 'reissue WHY', or none. Reads "Expiry Date : DATE" and the word revoked (layout unconfirmed).
function Get-CertState([int]$WarnDays, [string[]]$Argv) {
  $out = & $Argv[0] @($Argv | Select-Object -Skip 1) 2>&1 | Out-String
  if ($LASTEXITCODE -ne 0) { return 'none' }
  if ($out -match '\brevoked\b') { return 'reissue the host certificate is revoked' }
  if ($out -notmatch '(?im)^\s*Expiry Date\s*:\s*(.+?)\s*$') { return 'valid' }
  $expiry = [datetime]::MinValue
  if (-not [datetime]::TryParse($Matches[1], [ref]$expiry)) { return 'valid' }
  $days = [int][math]::Floor(($expiry.ToUniversalTime() - [datetime]::UtcNow).TotalDays)
  $day = $expiry.ToUniversalTime().ToString('yyyy-MM-dd')
  if ($expiry.ToUniversalTime() -le [datetime]::UtcNow) { return "reissue the host certificate expired on $day" }
  if ($days -le $WarnDays) {
    return "expiring the host certificate expires on $day, in $days days; certificates renew themselves 180 days" +
      ' before expiry, so renewal has failed here: run nbcertcmd -renewCertificate'
  }
  return 'valid'
}

# An expired or revoked certificate needs a reissue token, which only the primary makes; a normal token must not be used.
function Assert-Reissue([string]$Why, [string]$HowTo) {
  if ($env:NBSECURE_REISSUE -ne '1') {
    [Console]::Error.WriteLine("$Why, so it needs a reissue token: create it $HowTo, then run this script again" +
      ' with NBSECURE_REISSUE=1 and the token in NBSECURE_TOKEN_FILE.')
    exit 1
  }
  Write-Host "    ${Why}: a new certificate is fetched with the reissue token (-force)"
}

# Whether the token an earlier run captured is at hand: without its value a token is useless.
# A retired token (deleted after the rollout) counts as at hand: no step may make another.
function Test-TokenAtHand {
  (Test-Path "$tokenOut.retired") -or ((Test-Path $tokenOut) -and ((Get-Content -Raw $tokenOut).Trim() -cmatch "^$TokenShape$"))
}

function Remove-Token {
  Remove-Item -Force -Path $tokenOut -ErrorAction SilentlyContinue
  Set-Content -Path "$tokenOut.retired" -Value 'deleted after the rollout'
}

# What nbsetconfig must be given, exactly as apply computes it: only the owned keys whose values differ,
# each as its complete list; a repeated key keeps the host's other values after the planned ones
# (writing it replaces the whole set). Keys the plan does not own are never written.
function Get-ConfigChange([string]$Planned, [string]$Repeated, [string[]]$Argv) {
  $current = @(& $Argv[0] @($Argv | Select-Object -Skip 1) 2>$null)
  if ($LASTEXITCODE -ne 0) {
    [Console]::Error.WriteLine('the current configuration could not be read, so repeated keys cannot be merged safely')
    exit 1
  }
  $repeatedKeys = @($Repeated.Split(' ') | Where-Object { $_ })
  $want = [ordered]@{}
  foreach ($line in ($Planned.TrimEnd("`n") -split "`n")) {
    if ($line -match '^\s*([^=\s]+)\s*=\s*(.*?)\s*$') {
      if (-not $want.Contains($Matches[1])) { $want[$Matches[1]] = @() }
      $want[$Matches[1]] += $Matches[2]
    }
  }
  $have = @{}
  foreach ($line in $current) {
    if ($line -match '^\s*([^=\s]+)\s*=\s*(.*?)\s*$' -and $want.Contains($Matches[1])) {
      if (-not $have.ContainsKey($Matches[1])) { $have[$Matches[1]] = @() }
      $have[$Matches[1]] += $Matches[2]
    }
  }
  $out = @()
  foreach ($k in $want.Keys) {
    $h = if ($have.ContainsKey($k)) { @($have[$k]) } else { @() }
    $d = @($want[$k])
    if ($repeatedKeys -contains $k) { $d += @($h | Where-Object { $want[$k] -notcontains $_ }) }
    if (($d -join "`n") -cne ($h -join "`n")) { $out += @($d | ForEach-Object { "$k = $_" }) }
  }
  if ($out.Count) { return ($out -join "`n") + "`n" }
  return ''
}

# Writes the files a step hands its command, each given as NAME:secret:KIND (from the secret, at run time)
# or NAME:content:TEXT, into the work folder; returns their paths, to be removed after the command.
function Write-StepFiles([string[]]$Entries) {
  $paths = @()
  foreach ($entry in $Entries) {
    $name, $kind, $value = $entry.Split(':', 3)
    $path = Join-Path $workdir $name
    $paths += $path
    if ($kind -eq 'secret') { Write-Secret $value $path } else { Set-Content -Path $path -Value $value }
  }
  return $paths
}

# The command given, each file argument ("INDEX=NAME" words) replaced by its file's path.
function Resolve-FileArgs([string[]]$Argv, [string]$Spec) {
  $run = @($Argv)
  foreach ($pair in @($Spec.Split(' ') | Where-Object { $_ })) {
    $index, $name = $pair.Split('=', 2)
    $run[[int]$index] = Join-Path $workdir $name
  }
  return , $run
}

function Stop-Failed([hashtable]$S, [int]$Status) {
  [Console]::Error.WriteLine("`nFailed: $($S.Title) ($($S.Id)): exit status $Status. NetBackup says why: nbsecure explain $Status")
  exit 1
}

# Interprets the step: the same checks, in the same order, with the same outcome as nbsecure apply.
function Invoke-Step([hashtable]$S) {
  if ($S.Gate) { Assert-StageGate $S.Gate }
  if (-not (Test-RunStage $S.Stage)) { return }
  if ($S.ApiKeyReplaces -and $script:SecretApiKey) {
    Write-Host "`n==> [$($S.Id)] $($S.Title)`n    not needed: the API key stands in for the login"
    return
  }
  Set-Session $S
  if ($S.Manual) {
    Invoke-Manual $S.Id $S.Title $S.Manual
    return
  }
  Write-Host "`n==> [$($S.Id)] $($S.Title)"
  if ($S.Once -and (Test-DoneOnce $S.Id)) {
    Write-Host '    done in an earlier run: it is done once'
    return
  }
  if ($S.SkipIfCaptured -and (Test-TokenAtHand)) {
    Write-Host '    skipped: the token captured earlier is at hand'
    return
  }
  if ($S.OnlyIfChanged -and -not (Test-Owed $S.Id)) {
    Write-Host '    skipped: nothing changed that needs it'
    return
  }
  $reissuing = $false
  if ($S.CertWarnDays) {
    $certNow = Get-CertState $S.CertWarnDays $S.Done
    if ($certNow -eq 'valid') {
      Write-Host '    already done'
      return
    }
    if ($certNow -like 'expiring *') {
      Write-Host "    WARNING: $($certNow.Substring(9))"
      Write-Host '    already done'
      return
    }
    if ($certNow -like 'reissue *') {
      Assert-Reissue $certNow.Substring(8) $S.ReissueHowTo
      $reissuing = $true
    }
  } elseif ($S.Done -and (Test-Done $S.DoneMatch $S.Done)) {
    Write-Host '    already done'
    return
  }
  $status = 0
  if ($S.IdentityKeys) {
    for ($i = 0; $i -lt $S.IdentityKeys.Count; $i++) { Assert-Identity $S.IdentityKeys[$i] $S.IdentityWants[$i] $S.IdentityRead }
  }
  if ($S.Read) {
    $change = Get-ConfigChange $S.Stdin $S.MergeKeys $S.Read
    if (-not $change) {
      Write-Host '    no changes: the configuration already matches'
      return
    }
  }
  if ($S.Interrupts) { Write-Host '    This interrupts running backup and restore jobs.' }
  if ($reissuing) {
    $files = Write-StepFiles $S.ReissueFiles
    $run = Resolve-FileArgs $S.Reissue $S.ReissueArgvFiles
  } else {
    $files = Write-StepFiles $S.Files
    $run = Resolve-FileArgs $S.Argv $S.ArgvFiles
  }
  # What this step owes (the restart after it) is recorded before it runs: a kill in the middle of the change
  # must not lose it. A step that then fails with a status of its own changed nothing, and owes nothing new.
  $owedNow = @(@($S.Owes) | Where-Object { $_ -and -not (Test-Owed $_) })
  if ($owedNow) { Add-Owed $owedNow }
  try {
    if ($reissuing) {
      $status = Invoke-Argv $run
    } elseif ($S.Read) {
      $status = Invoke-Argv $run $change
    } elseif ($S.Captures) {
      $created = & $run[0] @($run | Select-Object -Skip 1) | Out-String
      $status = $LASTEXITCODE
      if ($status -eq 0) {
        New-Item -ItemType File -Force -Path $tokenOut | Out-Null
        Protect-File $tokenOut
        $token = ([regex]::Match($created, "\b$TokenShape\b")).Value
        Add-Known $token
        $token | Set-Content -Path $tokenOut
        Write-Host "    token saved to $tokenOut (readable by you alone): hand it to the hosts that need it, then delete it"
      }
    } elseif ($S.LegacyKnown) {
      Assert-NoUnlistedLegacy $S.LegacyKnown $run
    } elseif ($S.ContainsKey('Stdin')) {
      $status = Invoke-Argv $run $S.Stdin
    } else {
      $status = Invoke-Argv $run
    }
  } finally {
    $files | ForEach-Object { Remove-Item -Force -Path $_ -ErrorAction SilentlyContinue }
  }
  if ($status -ne 0) {
    foreach ($o in $owedNow) { Clear-Owed $o }
    if (-not $S.Tolerate) { Stop-Failed $S $status }
    Write-Host "    exit status ${status}: fine, $($S.Tolerate)"
    if ($S.Once) { Add-Content -Path $stateFile -Value $S.Id }
    return
  }
  if ($S.OnlyIfChanged) { Clear-Owed $S.Id }
  if ($S.Once) { Add-Content -Path $stateFile -Value $S.Id }
  if ($S.Retires) { Remove-Token }
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
  Invoke-Step @{
    Id = 'nbu-primary.corp.example:config.set'; Stage = 'prepare'; Title = 'Write the NetBackup configuration'
    Argv = @((Join-Path $NbRoot 'NetBackup\bin\nbsetconfig.exe'))
    ArgvFiles = ''
    Files = @()
    Stdin = "SERVER = nbu-primary.corp.example`nSERVER = nbu-media1.corp.example`nSERVER = nbu-media2.corp.example`nCLIENT_NAME = nbu-primary.corp.example`nGUI_MAX_LOGIN_ATTEMPTS = 5`nGUI_ACCOUNT_LOCKOUT_DURATION = 30`n"
    MergeKeys = 'SERVER'
    Read = @((Join-Path $NbRoot 'NetBackup\bin\nbgetconfig.exe'))
    IdentityKeys = @('CLIENT_NAME'); IdentityWants = @('nbu-primary.corp.example')
    IdentityRead = @((Join-Path $NbRoot 'NetBackup\bin\nbgetconfig.exe'), 'CLIENT_NAME')
  }

  # Read the configuration back
  # Why: Confirms that every value the plan owns is now in effect.
  Invoke-Step @{
    Id = 'nbu-primary.corp.example:config.verify'; Stage = 'prepare'; Title = 'Read the configuration back'
    Argv = @((Join-Path $NbRoot 'NetBackup\bin\nbgetconfig.exe'), 'SERVER', 'CLIENT_NAME', 'GUI_MAX_LOGIN_ATTEMPTS', 'GUI_ACCOUNT_LOCKOUT_DURATION')
    ArgvFiles = ''
    Files = @()
  }

  # Log in as a NetBackup administrator
  # Why: nbseccmd and nbcertcmd -createToken act for an authenticated administrator; without a session they are refused (status 5930).
  Invoke-Step @{
    Id = 'nbu-primary.corp.example:login'; Stage = 'prepare'; Title = 'Log in as a NetBackup administrator'
    Manual = @('On nbu-primary.corp.example, run: bpnbat.exe -login -logintype WEB', 'Give your NetBackup administrator credentials at its prompts (nbsecure never asks for or stores them).', 'With an API key (nbsecure apply --api-key-file FILE, or NBSECURE_API_KEY), nbsecure skips this login and hands the key to the commands that need a session in NETBACKUP_APIKEY.')
    Files = @()
    ApiKeyReplaces = $true
  }

  # Show the CA certificate and its fingerprint
  # Why: Every other host checks the CA it receives against this fingerprint; put it in certificates.caFingerprint so their steps run unattended and verified.
  Invoke-Step @{
    Id = 'nbu-primary.corp.example:ca.show'; Stage = 'prepare'; Title = 'Show the CA certificate and its fingerprint'
    Argv = @((Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe'), '-displayCACertDetail')
    ArgvFiles = ''
    Files = @()
  }

  # Delete an earlier token "win-rollout" whose value is not at hand
  # Why: A token made by an earlier, interrupted run cannot be handed to anyone: its value was never captured. It is deleted so that a fresh one can be made under the same name.
  Invoke-Step @{
    Id = 'nbu-primary.corp.example:token.replace'; Stage = 'prepare'; Title = 'Delete an earlier token "win-rollout" whose value is not at hand'
    Argv = @((Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe'), '-deleteToken', '-name', 'win-rollout')
    ArgvFiles = ''
    Files = @()
    SkipIfCaptured = $true
    Tolerate = 'there was no such token'
    Session = $true
  }

  # Create the authorization token "win-rollout" for 7 hosts
  # Why: Needed by nbu-media1.corp.example, nbu-media2.corp.example, sql1.corp.example, files1.corp.example, kiosk1.branch.example, lnx1.corp.example, new2.corp.example. The token is a credential: nbsecure captures it into a 0600 file and never prints it; it expires after 12H.
  Invoke-Step @{
    Id = 'nbu-primary.corp.example:token.create'; Stage = 'prepare'; Title = 'Create the authorization token "win-rollout" for 7 hosts'
    Argv = @((Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe'), '-createToken', '-name', 'win-rollout', '-maxUses', '10', '-validFor', '12H', '-reason', 'nbsecure certificate rollout')
    ArgvFiles = ''
    Files = @()
    Captures = $true
    SkipIfCaptured = $true
    Session = $true
  }

  # Keep audit records for 365 days
  # Why: Audit records are how an intrusion is traced; attackers count on them being gone by the time it is found.
  Invoke-Step @{
    Id = 'nbu-primary.corp.example:security.audit'; Stage = 'prepare'; Title = 'Keep audit records for 365 days'
    Argv = @((Join-Path $NbRoot 'NetBackup\bin\admincmd\nbseccmd.exe'), '-setsecurityconfig', '-auditretentionperiod', '365')
    ArgvFiles = ''
    Files = @()
    Done = @((Join-Path $NbRoot 'NetBackup\bin\admincmd\nbseccmd.exe'), '-getsecurityconfig', '-auditretentionperiod')
    DoneMatch = '\b365\b'
    Session = $true
  }

  # Turn on NAT support for the clients behind NAT
  # Why: kiosk1.branch.example is behind dynamic NAT: they reach the primary through the messaging broker, and once NAT support is on, servers fail to communicate with any client that has NAT support disabled unless ENABLE_DIRECT_CONNECTION is TRUE on them.
  Invoke-Step @{
    Id = 'nbu-primary.corp.example:nat.support'; Stage = 'prepare'; Title = 'Turn on NAT support for the clients behind NAT'
    Manual = @('In the web UI, turn on NAT support for the domain as the NAT guide for your version says; this starts the messaging broker (nbmqbroker) on the primary.', 'On each server that must still reach clients without NAT support, set ENABLE_DIRECT_CONNECTION = TRUE (nbsetconfig), then check that backups of those clients still run.', 'External certificates are not enrolled automatically for NAT clients: enrol them on each client.')
    Files = @()
  }

  # Log in as a NetBackup administrator
  # Why: nbseccmd and nbcertcmd -createToken act for an authenticated administrator; without a session they are refused (status 5930).
  Invoke-Step @{
    Id = 'nbu-primary.corp.example:tighten.login'; Stage = 'tighten'; Title = 'Log in as a NetBackup administrator'
    Gate = 'tighten'
    Manual = @('On nbu-primary.corp.example, run: bpnbat.exe -login -logintype WEB', 'Give your NetBackup administrator credentials at its prompts (nbsecure never asks for or stores them).', 'With an API key (nbsecure apply --api-key-file FILE, or NBSECURE_API_KEY), nbsecure skips this login and hands the key to the commands that need a session in NETBACKUP_APIKEY.')
    Files = @()
    ApiKeyReplaces = $true
  }

  # Check the domain for hosts at 8.0 or earlier that the answers do not list
  # Why: Turning insecure communication off cuts off every host at 8.0 or earlier, listed or not; this stops the run before the change if the primary knows such a host that the answers leave out.
  # VERIFY FOR YOUR VERSION: the layout of nbemmcmd -listhosts -verbose (MachineName and NetBackupVersion lines) is not documented; check that it lists your hosts with their versions
  Invoke-Step @{
    Id = 'nbu-primary.corp.example:security.insecure.domain'; Stage = 'tighten'; Title = 'Check the domain for hosts at 8.0 or earlier that the answers do not list'
    Argv = @((Join-Path $NbRoot 'NetBackup\bin\admincmd\nbemmcmd.exe'), '-listhosts', '-verbose')
    ArgvFiles = ''
    Files = @()
    LegacyKnown = 'nbu-primary.corp.example nbu-media1.corp.example nbu-media2.corp.example sql1.corp.example files1.corp.example kiosk1.branch.example lnx1.corp.example new2.corp.example'
  }

  # Turn insecure communication off
  # Why: No host is at 8.0 or earlier, so nothing needs the insecure protocol; leaving it on lets any 8.0 host talk to the domain unauthenticated.
  Invoke-Step @{
    Id = 'nbu-primary.corp.example:security.insecure'; Stage = 'tighten'; Title = 'Turn insecure communication off'
    Argv = @((Join-Path $NbRoot 'NetBackup\bin\admincmd\nbseccmd.exe'), '-setsecurityconfig', '-insecurecommunication', 'off')
    ArgvFiles = ''
    Files = @()
    Done = @((Join-Path $NbRoot 'NetBackup\bin\admincmd\nbseccmd.exe'), '-getsecurityconfig', '-insecurecommunication')
    DoneMatch = '\boff\b'
    Owes = @('nbu-primary.corp.example:services.stop', 'nbu-primary.corp.example:services.start')
    Session = $true
  }

  # Read the insecure communication setting back
  # Why: Confirms it is off.
  Invoke-Step @{
    Id = 'nbu-primary.corp.example:security.insecure.verify'; Stage = 'tighten'; Title = 'Read the insecure communication setting back'
    Argv = @((Join-Path $NbRoot 'NetBackup\bin\admincmd\nbseccmd.exe'), '-getsecurityconfig', '-insecurecommunication')
    ArgvFiles = ''
    Files = @()
    Session = $true
  }

  # Stop the NetBackup services on the primary
  # Why: Turning insecure communication off takes effect only after the primary's services restart. This interrupts running backup and restore jobs: choose a quiet window.
  # VERIFY FOR YOUR VERSION: NetBackup Administrator's Guide (flags differ by version: check yours)
  Invoke-Step @{
    Id = 'nbu-primary.corp.example:services.stop'; Stage = 'tighten'; Title = 'Stop the NetBackup services on the primary'
    Argv = @((Join-Path $NbRoot 'NetBackup\bin\bpdown.exe'))
    ArgvFiles = ''
    Files = @()
    Stdin = "y`n"
    OnlyIfChanged = 'nbu-primary.corp.example:security.insecure'
    Interrupts = $true
  }

  # Start the NetBackup services on the primary
  # Why: Brings the primary back with the new setting in effect.
  # VERIFY FOR YOUR VERSION: NetBackup Administrator's Guide (flags differ by version: check yours)
  Invoke-Step @{
    Id = 'nbu-primary.corp.example:services.start'; Stage = 'tighten'; Title = 'Start the NetBackup services on the primary'
    Argv = @((Join-Path $NbRoot 'NetBackup\bin\bpup.exe'))
    ArgvFiles = ''
    Files = @()
    OnlyIfChanged = 'nbu-primary.corp.example:security.insecure'
    Interrupts = $true
  }

  # Set data-in-transit encryption to Preferred On
  # Why: Preferred On: data is encrypted on the wire unless a client or policy opts out.
  Invoke-Step @{
    Id = 'nbu-primary.corp.example:security.dte'; Stage = 'tighten'; Title = 'Set data-in-transit encryption to Preferred On'
    Argv = @((Join-Path $NbRoot 'NetBackup\bin\admincmd\nbseccmd.exe'), '-setsecurityconfig', '-dteglobalmode', '1')
    ArgvFiles = ''
    Files = @()
    Done = @((Join-Path $NbRoot 'NetBackup\bin\admincmd\nbseccmd.exe'), '-getsecurityconfig', '-dteglobalmode')
    DoneMatch = 'PREFERRED.?ON'
    Session = $true
  }

  # Read the data-in-transit encryption mode back
  # Why: Confirms it is Preferred On.
  Invoke-Step @{
    Id = 'nbu-primary.corp.example:security.dte.verify'; Stage = 'tighten'; Title = 'Read the data-in-transit encryption mode back'
    Argv = @((Join-Path $NbRoot 'NetBackup\bin\admincmd\nbseccmd.exe'), '-getsecurityconfig', '-dteglobalmode')
    ArgvFiles = ''
    Files = @()
    Session = $true
  }

  # Set the certificate deployment security level to Very High
  # Why: There is no documented nbseccmd flag for this setting, so nbsecure does not invent one. With an API key nbsecure reads the security properties and sends only the fields that differ.
  Invoke-Step @{
    Id = 'nbu-primary.corp.example:security.level'; Stage = 'tighten'; Title = 'Set the certificate deployment security level to Very High'
    Manual = @('In the web UI: Security > Global security settings > Secure communication, set the level to Very High.', 'Or with an API key, from any host that reaches the primary (the key in a file readable by you alone, as the line "Authorization: KEY"; here nbsecure-apikey-header, in the current folder):', 'curl -s --insecure -H ''Accept: application/vnd.netbackup+json;version=6.0'' https://nbu-primary.corp.example:1556/netbackup/security/cacert | jq -r .webRootCert > nbsecure-ca.pem', 'openssl x509 -in nbsecure-ca.pem -noout -fingerprint -sha256   # must print C2:7D:A7:77:CE:C3:90:C2:BD:87:73:D9:07:DF:F1:E7:5E:3F:43:93:3A:1C:50:55:9B:65:F5:4D:CF:D6:09:F7; stop if it does not', 'curl --fail --cacert nbsecure-ca.pem -H @nbsecure-apikey-header -H ''Accept: application/vnd.netbackup+json;version=6.0'' -H ''Content-Type: application/vnd.netbackup+json;version=6.0'' -X POST --data ''{"certificateAutoDeployLevel":0,"allowInsecureBackLevelHost":false,"dteGlobalMode":1}'' https://nbu-primary.corp.example:1556/netbackup/security/properties', 'An answer 202 with the header X-NetBackup-MFA-Request asks for a one-time password; nbsecure apply --api-key-file does all of this and asks for it.', 'VERIFY FOR YOUR VERSION: the media type version 6.0 (vendor API samples with API keys (media type version 6.0); the reference gives the form only)', 'VERIFY FOR YOUR VERSION: certificateAutoDeployLevel 0 for Very High', 'VERIFY FOR YOUR VERSION: dteGlobalMode 1 for Preferred On (API reference, security properties; value form not documented)')
    Files = @()
  }

  # Log in as a NetBackup administrator
  # Why: nbseccmd and nbcertcmd -createToken act for an authenticated administrator; without a session they are refused (status 5930).
  Invoke-Step @{
    Id = 'nbu-primary.corp.example:verify.login'; Stage = 'verify'; Title = 'Log in as a NetBackup administrator'
    Gate = 'verify'
    Manual = @('On nbu-primary.corp.example, run: bpnbat.exe -login -logintype WEB', 'Give your NetBackup administrator credentials at its prompts (nbsecure never asks for or stores them).', 'With an API key (nbsecure apply --api-key-file FILE, or NBSECURE_API_KEY), nbsecure skips this login and hands the key to the commands that need a session in NETBACKUP_APIKEY.')
    Files = @()
    ApiKeyReplaces = $true
  }

  # Delete the rollout token "win-rollout"
  # Why: Every host that needed it has its certificate by now: a token left behind is a credential anyone who finds it could use until it expires. Its captured copy is removed too.
  Invoke-Step @{
    Id = 'nbu-primary.corp.example:token.delete'; Stage = 'verify'; Title = 'Delete the rollout token "win-rollout"'
    Argv = @((Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe'), '-deleteToken', '-name', 'win-rollout')
    ArgvFiles = ''
    Files = @()
    Retires = $true
    Tolerate = 'the token was already deleted or has expired'
    Session = $true
  }

  Write-Host "`nnbsecure: all steps for nbu-primary.corp.example are done."
} finally {
  Remove-Item -Recurse -Force -Path $workdir -ErrorAction SilentlyContinue
  Remove-Item -Path 'Env:NETBACKUP_APIKEY' -ErrorAction SilentlyContinue
}
