#Requires -Version 5.1
# nbsecure: steps for web2.dmz.example (client, windows, NetBackup 10.4)
# Plan digest 05506d6a1efa1f36a0045fb11d91db01ed08bbdb098133befe7f29099ef25c59. Generated: change the answers and run `nbsecure plan` again instead of editing.
# Run in an elevated PowerShell on web2.dmz.example. The token comes from $env:NBSECURE_TOKEN_FILE,
# $env:NBSECURE_TOKEN or a hidden prompt (the ECA key passphrase likewise: NBSECURE_PASSPHRASE_FILE,
# NBSECURE_PASSPHRASE), and reaches NetBackup only through a file readable by you alone, removed after its step.
# An API key ($env:NBSECURE_API_KEY_FILE or $env:NBSECURE_API_KEY) stands in for the web login; only the commands
# that act as an administrator get it.
# Manual steps stop the script unless listed in $env:NBSECURE_MANUAL_DONE (comma-separated step ids).
# $env:NBSECURE_STAGE runs one stage (prepare, media, clients, tighten, verify); without it the script stops
# before a stage that waits for the fleet. Exit status: 0 done, 1 a step failed, 4 waiting for a person.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$stateFile = if ($env:NBSECURE_STATE_FILE) { $env:NBSECURE_STATE_FILE } else { '.\nbsecure-web2.dmz.example.state' }
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
$NbRoot = Find-NetBackupRoot @('C:\Program Files\Veritas', 'C:\Program Files\Cohesity NetBackup')
Write-Host "NetBackup install folder: $NbRoot"

# ---- The steps of web2.dmz.example, in order ----
try {

  # Write the NetBackup configuration
  # Why: Sets SERVER, CLIENT_NAME, MEDIA_SERVER. Repeated keys are written as the complete list, merged with entries already on the host, because setting one replaces the whole set.
  Invoke-Step @{
    Id = 'web2.dmz.example:config.set'; Stage = 'clients'; Title = 'Write the NetBackup configuration'
    Argv = @((Join-Path $NbRoot 'NetBackup\bin\nbsetconfig.exe'))
    ArgvFiles = ''
    Files = @()
    Stdin = "SERVER = nbu-primary.corp.example`nSERVER = nbu-media1.corp.example`nSERVER = nbu-media2.corp.example`nCLIENT_NAME = web2.dmz.example`nMEDIA_SERVER = nbu-media2.corp.example`nMEDIA_SERVER = nbu-media1.corp.example`n"
    MergeKeys = 'SERVER MEDIA_SERVER'
    Read = @((Join-Path $NbRoot 'NetBackup\bin\nbgetconfig.exe'))
    IdentityKeys = @('CLIENT_NAME'); IdentityWants = @('web2.dmz.example')
    IdentityRead = @((Join-Path $NbRoot 'NetBackup\bin\nbgetconfig.exe'), 'CLIENT_NAME')
  }

  # Read the configuration back
  # Why: Confirms that every value the plan owns is now in effect.
  Invoke-Step @{
    Id = 'web2.dmz.example:config.verify'; Stage = 'clients'; Title = 'Read the configuration back'
    Argv = @((Join-Path $NbRoot 'NetBackup\bin\nbgetconfig.exe'), 'SERVER', 'CLIENT_NAME', 'MEDIA_SERVER')
    ArgvFiles = ''
    Files = @()
  }

  # Fetch the CA certificate and check its fingerprint
  # Why: Trust is established only if the CA the primary presents has the fingerprint from the answers; a mismatch stops here instead of trusting an impostor.
  Invoke-Step @{
    Id = 'web2.dmz.example:ca.get'; Stage = 'clients'; Title = 'Fetch the CA certificate and check its fingerprint'
    Argv = @((Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe'), '-getCACertificate', '-file', '<ca fingerprint file>', '-server', 'nbu-primary.corp.example')
    ArgvFiles = '3=ca-fingerprint'
    Files = @('ca-fingerprint:content:C2:7D:A7:77:CE:C3:90:C2:BD:87:73:D9:07:DF:F1:E7:5E:3F:43:93:3A:1C:50:55:9B:65:F5:4D:CF:D6:09:F7')
    Done = @((Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe'), '-listCACertDetails')
    DoneMatch = 'C2:7D:A7:77:CE:C3:90:C2:BD:87:73:D9:07:DF:F1:E7:5E:3F:43:93:3A:1C:50:55:9B:65:F5:4D:CF:D6:09:F7'
  }

  # Deploy the host certificate with the authorization token
  # Why: A token is needed because it reaches the primary through an HTTP tunnel, so the primary sees the media server's address and refuses a tokenless request (status 5954/5955). It is handed over in a 0600 file, never on the command line, where the process list would show it.
  Invoke-Step @{
    Id = 'web2.dmz.example:cert.get'; Stage = 'clients'; Title = 'Deploy the host certificate with the authorization token'
    Argv = @((Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe'), '-getCertificate', '-file', '<token file>', '-server', 'nbu-primary.corp.example')
    ArgvFiles = '3=token'
    Files = @('token:secret:token')
    Done = @((Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe'), '-listCertDetails')
    CertWarnDays = 30
    Reissue = @((Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe'), '-getCertificate', '-file', '<token file>', '-force', '-server', 'nbu-primary.corp.example')
    ReissueArgvFiles = '3=token'
    ReissueFiles = @('token:secret:token')
    ReissueHowTo = 'on nbu-primary.corp.example, after logging in: nbcertcmd -createToken -name reissue-web2 -reissue -host web2.dmz.example (single use, bound to this host)'
  }

  # List the host certificate
  # Why: Shows the certificate that was just issued, its host ID and expiry.
  Invoke-Step @{
    Id = 'web2.dmz.example:cert.verify'; Stage = 'clients'; Title = 'List the host certificate'
    Argv = @((Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe'), '-listCertDetails')
    ArgvFiles = ''
    Files = @()
  }

  # Check the host's certificate state
  # Why: Reports whether this host's certificate is valid and not revoked.
  Invoke-Step @{
    Id = 'web2.dmz.example:cert.selfcheck'; Stage = 'clients'; Title = 'Check the host''s certificate state'
    Argv = @((Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe'), '-hostSelfCheck')
    ArgvFiles = ''
    Files = @()
  }

  Write-Host "`nnbsecure: all steps for web2.dmz.example are done."
} finally {
  Remove-Item -Recurse -Force -Path $workdir -ErrorAction SilentlyContinue
  Remove-Item -Path 'Env:NETBACKUP_APIKEY' -ErrorAction SilentlyContinue
}
