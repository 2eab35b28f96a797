#Requires -Version 5.1
# nbsecure: steps for nbu-primary.corp.example (primary, windows, NetBackup 11.1)
# Plan digest 2dc4b8727ae5697477974a56c4722d0f0019506920599e2d2c1bf29f9921cfb6. Generated: change the answers and run `nbsecure plan` again instead of editing.
# Run in an elevated PowerShell on nbu-primary.corp.example. The token comes from $env:NBSECURE_TOKEN_FILE,
# $env:NBSECURE_TOKEN or a hidden prompt (the ECA key passphrase likewise: NBSECURE_PASSPHRASE_FILE,
# NBSECURE_PASSPHRASE), and reaches NetBackup only through a file readable by you alone.
# Manual steps stop the script unless listed in $env:NBSECURE_MANUAL_DONE (comma-separated step ids).
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$workdir = Join-Path ([IO.Path]::GetTempPath()) ("nbsecure-" + [Guid]::NewGuid())
New-Item -ItemType Directory -Path $workdir | Out-Null
# What must survive a failed run lives in a state file beside the script: steps done once (a revocation)
# and steps still owed (the restart after a setting changed, until it has run).
$stateFile = if ($env:NBSECURE_STATE_FILE) { $env:NBSECURE_STATE_FILE } else { '.\nbsecure-nbu-primary.corp.example.state' }
function Test-DoneOnce([string]$Id) { (Test-Path $stateFile) -and (@(Get-Content $stateFile) -contains $Id) }
function Add-Owed([string[]]$Ids) {
  foreach ($i in $Ids) { if (-not (Test-DoneOnce "owed $i")) { Add-Content -Path $stateFile -Value "owed $i" } }
}
function Clear-Owed([string]$Id) {
  if (Test-Path $stateFile) { Set-Content -Path $stateFile -Value @(@(Get-Content $stateFile) | Where-Object { $_ -ne "owed $Id" }) }
}

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

function Write-Step([string]$Id, [string]$Title) { Write-Host "`n==> [$Id] $Title" }

function Invoke-Native([string]$File, [string[]]$Arguments, [string]$Stdin) {
  if ($PSBoundParameters.ContainsKey('Stdin')) { $Stdin | & $File @Arguments } else { & $File @Arguments }
  if ($LASTEXITCODE -ne 0) { throw "$File exited with status $LASTEXITCODE (nbsecure explain $LASTEXITCODE)" }
}

# The state of the host certificate that nbcertcmd -listCertDetails lists: valid, 'expiring WORDS',
# 'reissue WHY', or none. Reads "Expiry Date : DATE" and the word revoked (layout unconfirmed).
function Get-CertState([int]$WarnDays, [string]$File, [string[]]$Arguments) {
  $out = & $File @Arguments 2>&1 | Out-String
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

# An expired or revoked certificate needs a reissue token, which only the primary makes.
function Assert-Reissue([string]$Why, [string]$HowTo) {
  if ($env:NBSECURE_REISSUE -ne '1') {
    throw "$Why, so it needs a reissue token: create it $HowTo, then run this script again with" +
      ' NBSECURE_REISSUE=1 and the token in NBSECURE_TOKEN_FILE.'
  }
  Write-Host "    ${Why}: a new certificate is fetched with the reissue token (-force)"
}

# Whether the token an earlier run captured is at hand: without its value a token is useless.
# A retired token (deleted after the rollout) counts as at hand: no step may make another.
function Get-TokenOut { if ($env:NBSECURE_TOKEN_OUT) { $env:NBSECURE_TOKEN_OUT } else { '.\nbsecure-token' } }
function Test-TokenAtHand {
  $f = Get-TokenOut
  (Test-Path "$f.retired") -or ((Test-Path $f) -and ((Get-Content -Raw $f).Trim() -cmatch '^[A-Z]{16}$'))
}

function Test-Done([string]$Pattern, [string]$File, [string[]]$Arguments) {
  $out = & $File @Arguments 2>&1 | Out-String
  if ($LASTEXITCODE -ne 0) { return $false }
  return (-not $Pattern) -or ($out -match $Pattern)
}

function Invoke-Manual([string]$Id, [string]$Title, [string[]]$Lines) {
  Write-Host "`n==> [$Id] MANUAL: $Title"
  $Lines | ForEach-Object { Write-Host "    $_" }
  if ((",$env:NBSECURE_MANUAL_DONE,") -like "*,$Id,*") { Write-Host '    (confirmed done through NBSECURE_MANUAL_DONE)'; return }
  if ([Environment]::UserInteractive -and -not [Console]::IsInputRedirected) { Read-Host '    Press Enter when it is done, or Ctrl-C to stop' | Out-Null; return }
  [Console]::Error.WriteLine("stopped at manual step ${Id}: do it, then run again with NBSECURE_MANUAL_DONE=$Id")
  exit 4
}

# The rollout's stages: with NBSECURE_STAGE set, only that stage's steps run; without it, the script
# stops (exit 4) before a stage that waits for the fleet (tighten, verify on the primary).
function Test-RunStage([string]$Stage) { (-not $env:NBSECURE_STAGE) -or ($env:NBSECURE_STAGE -eq $Stage) }
function Assert-StageGate([string]$Stage) {
  if ($env:NBSECURE_STAGE) { return }
  Write-Host "`nWaiting for the fleet: the $Stage stage comes after every media server and client has its certificate."
  Write-Host "Then run this script again with NBSECURE_STAGE=$Stage."
  exit 4
}

function Protect-File([string]$Path) {
  icacls $Path /inheritance:r /grant:r "$($env:USERNAME):(R,W)" | Out-Null
}

# Secrets given in the environment are read once and taken out of it: no command this script runs inherits them.
$script:SecretToken = $env:NBSECURE_TOKEN
$script:SecretPassphrase = $env:NBSECURE_PASSPHRASE
Remove-Item -Path 'Env:NBSECURE_TOKEN', 'Env:NBSECURE_PASSPHRASE' -ErrorAction SilentlyContinue

function Write-Secret([string]$Kind, [string]$Target) {
  New-Item -ItemType File -Path $Target | Out-Null
  Protect-File $Target
  $file = if ($Kind -eq 'token') { $env:NBSECURE_TOKEN_FILE } else { $env:NBSECURE_PASSPHRASE_FILE }
  $value = if ($Kind -eq 'token') { $script:SecretToken } else { $script:SecretPassphrase }
  if ($file) { Get-Content -Raw $file | Set-Content -NoNewline $Target }
  elseif ($value) { Set-Content -Path $Target -Value $value }
  else {
    $secure = Read-Host -AsSecureString "$Kind (hidden)"
    Set-Content -Path $Target -Value ([Net.NetworkCredential]::new('', $secure).Password)
  }
}

# Stops when this host already holds another value for a key that is its NetBackup identity (CLIENT_NAME).
function Assert-Identity([string]$Key, [string]$Want, [string]$File, [string[]]$Arguments) {
  foreach ($line in @(& $File @Arguments 2>$null)) {
    if ($line -match "^\s*$Key\s*=\s*(.*)$" -and $Matches[1].Trim() -ne $Want) {
      throw "$Key is $($Matches[1].Trim()) on this host and the plan says $Want" +
        ": changing it would change this host's NetBackup identity (its policies, host ID mappings and catalog entries)." +
        ' Correct the answers, or set replaceClientName: true for this host to change it on purpose.'
    }
  }
}

# Stops when the domain's host list (nbemmcmd -listhosts -verbose) holds a host at 8.0 or earlier
# that the answers do not name: insecure communication off would cut it off. Reads MachineName and
# NetBackupVersion lines (layout unconfirmed).
function Assert-NoUnlistedLegacy([string[]]$Known, [string]$File, [string[]]$Arguments) {
  $ok = @{}
  foreach ($k in $Known) { $ok[$k.ToLower()] = $true; $ok[$k.ToLower().Split('.')[0]] = $true }
  $name = $null
  $found = @()
  foreach ($line in @(& $File @Arguments)) {
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
    throw "the domain knows $($found -join ', '), at 8.0 or earlier and not in the answers: turning insecure" +
      ' communication off would cut them off. Upgrade or decommission them, or add them to the answers' +
      ' (insecure communication then stays on), and run again.'
  }
}

# What nbsetconfig must be given, exactly as apply computes it: only the owned keys whose values differ,
# each as its complete list; a repeated key keeps the host's other values after the planned ones
# (writing it replaces the whole set). Keys the plan does not own are never written.
function Get-ConfigChange([string]$Planned, [string[]]$Repeated, [string]$File, [string[]]$Arguments) {
  $current = @(& $File @Arguments 2>$null)
  if ($LASTEXITCODE -ne 0) { throw 'the current configuration could not be read, so repeated keys cannot be merged safely' }
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
    if ($Repeated -contains $k) { $d += @($h | Where-Object { $want[$k] -notcontains $_ }) }
    if (($d -join "`n") -cne ($h -join "`n")) { $out += @($d | ForEach-Object { "$k = $_" }) }
  }
  if ($out.Count) { return ($out -join "`n") + "`n" }
  return ''
}

try {

  # Write the NetBackup configuration
  # Why: Sets SERVER, CLIENT_NAME, GUI_MAX_LOGIN_ATTEMPTS, GUI_ACCOUNT_LOCKOUT_DURATION. Repeated keys are written as the complete list, merged with entries already on the host, because setting one replaces the whole set.
  if (Test-RunStage 'prepare') {
  Write-Step 'nbu-primary.corp.example:config.set' 'Write the NetBackup configuration'
  & {
    Assert-Identity 'CLIENT_NAME' 'nbu-primary.corp.example' (Join-Path $NbRoot 'NetBackup\bin\nbgetconfig.exe') @('CLIENT_NAME')
    $change = Get-ConfigChange "SERVER = nbu-primary.corp.example`nSERVER = nbu-media1.corp.example`nSERVER = nbu-media2.corp.example`nCLIENT_NAME = nbu-primary.corp.example`nGUI_MAX_LOGIN_ATTEMPTS = 5`nGUI_ACCOUNT_LOCKOUT_DURATION = 30`n" @('SERVER') (Join-Path $NbRoot 'NetBackup\bin\nbgetconfig.exe') @()
    if (-not $change) { Write-Host '    no changes: the configuration already matches' } else { Invoke-Native (Join-Path $NbRoot 'NetBackup\bin\nbsetconfig.exe') @() $change }
  }
  }

  # Read the configuration back
  # Why: Confirms that every value the plan owns is now in effect.
  if (Test-RunStage 'prepare') {
  Write-Step 'nbu-primary.corp.example:config.verify' 'Read the configuration back'
  & {
    Invoke-Native (Join-Path $NbRoot 'NetBackup\bin\nbgetconfig.exe') @('SERVER', 'CLIENT_NAME', 'GUI_MAX_LOGIN_ATTEMPTS', 'GUI_ACCOUNT_LOCKOUT_DURATION')
  }
  }

  # Log in as a NetBackup administrator
  # Why: nbseccmd and nbcertcmd -createToken act for an authenticated administrator; without a session they are refused (status 5930).
  if (Test-RunStage 'prepare') {
  Invoke-Manual 'nbu-primary.corp.example:login' 'Log in as a NetBackup administrator' @('On nbu-primary.corp.example, run: bpnbat.exe -login -logintype WEB', 'Give your NetBackup administrator credentials at its prompts (nbsecure never asks for or stores them).')
  }

  # Show the CA certificate and its fingerprint
  # Why: Every other host checks the CA it receives against this fingerprint; put it in certificates.caFingerprint so their steps run unattended and verified.
  if (Test-RunStage 'prepare') {
  Write-Step 'nbu-primary.corp.example:ca.show' 'Show the CA certificate and its fingerprint'
  & {
    Invoke-Native (Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe') @('-displayCACertDetail')
  }
  }

  # Delete an earlier token "win-rollout" whose value is not at hand
  # Why: A token made by an earlier, interrupted run cannot be handed to anyone: its value was never captured. It is deleted so that a fresh one can be made under the same name.
  if (Test-RunStage 'prepare') {
  Write-Step 'nbu-primary.corp.example:token.replace' 'Delete an earlier token "win-rollout" whose value is not at hand'
  if (Test-TokenAtHand) { Write-Host '    skipped: the token captured earlier is at hand' } else {
    try { Invoke-Native (Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe') @('-deleteToken', '-name', 'win-rollout') } catch { Write-Host '    a failure is fine: there was no such token' }
  }
  }

  # Create the authorization token "win-rollout" for 7 hosts
  # Why: Needed by nbu-media1.corp.example, nbu-media2.corp.example, sql1.corp.example, files1.corp.example, kiosk1.branch.example, lnx1.corp.example, new2.corp.example. The token is a credential: nbsecure captures it into a 0600 file and never prints it; it expires after 12H.
  if (Test-RunStage 'prepare') {
  Write-Step 'nbu-primary.corp.example:token.create' 'Create the authorization token "win-rollout" for 7 hosts'
  if (Test-TokenAtHand) { Write-Host '    skipped: the token captured earlier is at hand' } else {
    $tokenOut = if ($env:NBSECURE_TOKEN_OUT) { $env:NBSECURE_TOKEN_OUT } else { '.\nbsecure-token' }
    New-Item -ItemType File -Force -Path $tokenOut | Out-Null
    Protect-File $tokenOut
    $created = & (Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe') @('-createToken', '-name', 'win-rollout', '-maxUses', '10', '-validFor', '12H', '-reason', 'nbsecure certificate rollout') | Out-String
    if ($LASTEXITCODE -ne 0) { throw "createToken exited with status $LASTEXITCODE" }
    ([regex]::Match($created, '\b[A-Z]{16}\b')).Value | Set-Content -Path $tokenOut
    Write-Host "    token saved to $tokenOut (readable by you alone): hand it to the hosts that need it, then delete it"
  }
  }

  # Set the certificate deployment security level to Very High
  # Why: There is no documented nbseccmd flag for this setting, so nbsecure does not invent one.
  if (Test-RunStage 'prepare') {
  Invoke-Manual 'nbu-primary.corp.example:security.level' 'Set the certificate deployment security level to Very High' @('In the web UI: Security > Global security settings > Secure communication, set the level to Very High.', 'Or through the REST API: POST https://nbu-primary.corp.example:1556/netbackup/security/properties with the field certificateAutoDeployLevel set to the value your version''s API reference gives for Very High.')
  }

  # Keep audit records for 365 days
  # Why: Audit records are how an intrusion is traced; attackers count on them being gone by the time it is found.
  if (Test-RunStage 'prepare') {
  Write-Step 'nbu-primary.corp.example:security.audit' 'Keep audit records for 365 days'
  if (Test-Done '\b365\b' (Join-Path $NbRoot 'NetBackup\bin\admincmd\nbseccmd.exe') @('-getsecurityconfig', '-auditretentionperiod')) { Write-Host '    already done' } else {
    Invoke-Native (Join-Path $NbRoot 'NetBackup\bin\admincmd\nbseccmd.exe') @('-setsecurityconfig', '-auditretentionperiod', '365')
  }
  }

  # Turn on NAT support for the clients behind NAT
  # Why: kiosk1.branch.example is behind dynamic NAT: they reach the primary through the messaging broker, and once NAT support is on, servers fail to communicate with any client that has NAT support disabled unless ENABLE_DIRECT_CONNECTION is TRUE on them.
  if (Test-RunStage 'prepare') {
  Invoke-Manual 'nbu-primary.corp.example:nat.support' 'Turn on NAT support for the clients behind NAT' @('In the web UI, turn on NAT support for the domain as the NAT guide for your version says; this starts the messaging broker (nbmqbroker) on the primary.', 'On each server that must still reach clients without NAT support, set ENABLE_DIRECT_CONNECTION = TRUE (nbsetconfig), then check that backups of those clients still run.', 'External certificates are not enrolled automatically for NAT clients: enrol them on each client.')
  }

  Assert-StageGate 'tighten'

  # Log in as a NetBackup administrator
  # Why: nbseccmd and nbcertcmd -createToken act for an authenticated administrator; without a session they are refused (status 5930).
  if (Test-RunStage 'tighten') {
  Invoke-Manual 'nbu-primary.corp.example:tighten.login' 'Log in as a NetBackup administrator' @('On nbu-primary.corp.example, run: bpnbat.exe -login -logintype WEB', 'Give your NetBackup administrator credentials at its prompts (nbsecure never asks for or stores them).')
  }

  # Check the domain for hosts at 8.0 or earlier that the answers do not list
  # Why: Turning insecure communication off cuts off every host at 8.0 or earlier, listed or not; this stops the run before the change if the primary knows such a host that the answers leave out.
  # VERIFY FOR YOUR VERSION: the layout of nbemmcmd -listhosts -verbose (MachineName and NetBackupVersion lines) is not documented; check that it lists your hosts with their versions
  if (Test-RunStage 'tighten') {
  Write-Step 'nbu-primary.corp.example:security.insecure.domain' 'Check the domain for hosts at 8.0 or earlier that the answers do not list'
  & {
    Assert-NoUnlistedLegacy @('nbu-primary.corp.example', 'nbu-media1.corp.example', 'nbu-media2.corp.example', 'sql1.corp.example', 'files1.corp.example', 'kiosk1.branch.example', 'lnx1.corp.example', 'new2.corp.example') (Join-Path $NbRoot 'NetBackup\bin\admincmd\nbemmcmd.exe') @('-listhosts', '-verbose')
  }
  }

  # Turn insecure communication off
  # Why: No host is at 8.0 or earlier, so nothing needs the insecure protocol; leaving it on lets any 8.0 host talk to the domain unauthenticated.
  if (Test-RunStage 'tighten') {
  Write-Step 'nbu-primary.corp.example:security.insecure' 'Turn insecure communication off'
  if (Test-Done '\boff\b' (Join-Path $NbRoot 'NetBackup\bin\admincmd\nbseccmd.exe') @('-getsecurityconfig', '-insecurecommunication')) { Write-Host '    already done' } else {
    Invoke-Native (Join-Path $NbRoot 'NetBackup\bin\admincmd\nbseccmd.exe') @('-setsecurityconfig', '-insecurecommunication', 'off')
    Add-Owed @('nbu-primary.corp.example:services.stop', 'nbu-primary.corp.example:services.start')
  }
  }

  # Read the insecure communication setting back
  # Why: Confirms it is off.
  if (Test-RunStage 'tighten') {
  Write-Step 'nbu-primary.corp.example:security.insecure.verify' 'Read the insecure communication setting back'
  & {
    Invoke-Native (Join-Path $NbRoot 'NetBackup\bin\admincmd\nbseccmd.exe') @('-getsecurityconfig', '-insecurecommunication')
  }
  }

  # Stop the NetBackup services on the primary
  # Why: Turning insecure communication off takes effect only after the primary's services restart. This interrupts running backup and restore jobs: choose a quiet window.
  # VERIFY FOR YOUR VERSION: NetBackup Administrator's Guide (flags differ by version: check yours)
  if (Test-RunStage 'tighten') {
  Write-Step 'nbu-primary.corp.example:services.stop' 'Stop the NetBackup services on the primary'
  if (-not (Test-DoneOnce "owed $('nbu-primary.corp.example:services.stop')")) { Write-Host '    skipped: nothing changed that needs it' } else {
    Write-Host '    This interrupts running backup and restore jobs.'
    Invoke-Native (Join-Path $NbRoot 'NetBackup\bin\bpdown.exe') @() "y`n"
    Clear-Owed 'nbu-primary.corp.example:services.stop'
  }
  }

  # Start the NetBackup services on the primary
  # Why: Brings the primary back with the new setting in effect.
  # VERIFY FOR YOUR VERSION: NetBackup Administrator's Guide (flags differ by version: check yours)
  if (Test-RunStage 'tighten') {
  Write-Step 'nbu-primary.corp.example:services.start' 'Start the NetBackup services on the primary'
  if (-not (Test-DoneOnce "owed $('nbu-primary.corp.example:services.start')")) { Write-Host '    skipped: nothing changed that needs it' } else {
    Write-Host '    This interrupts running backup and restore jobs.'
    Invoke-Native (Join-Path $NbRoot 'NetBackup\bin\bpup.exe') @()
    Clear-Owed 'nbu-primary.corp.example:services.start'
  }
  }

  # Set data-in-transit encryption to Preferred On
  # Why: Preferred On: data is encrypted on the wire unless a client or policy opts out.
  if (Test-RunStage 'tighten') {
  Write-Step 'nbu-primary.corp.example:security.dte' 'Set data-in-transit encryption to Preferred On'
  if (Test-Done 'PREFERRED.?ON' (Join-Path $NbRoot 'NetBackup\bin\admincmd\nbseccmd.exe') @('-getsecurityconfig', '-dteglobalmode')) { Write-Host '    already done' } else {
    Invoke-Native (Join-Path $NbRoot 'NetBackup\bin\admincmd\nbseccmd.exe') @('-setsecurityconfig', '-dteglobalmode', '1')
  }
  }

  # Read the data-in-transit encryption mode back
  # Why: Confirms it is Preferred On.
  if (Test-RunStage 'tighten') {
  Write-Step 'nbu-primary.corp.example:security.dte.verify' 'Read the data-in-transit encryption mode back'
  & {
    Invoke-Native (Join-Path $NbRoot 'NetBackup\bin\admincmd\nbseccmd.exe') @('-getsecurityconfig', '-dteglobalmode')
  }
  }

  Assert-StageGate 'verify'

  # Log in as a NetBackup administrator
  # Why: nbseccmd and nbcertcmd -createToken act for an authenticated administrator; without a session they are refused (status 5930).
  if (Test-RunStage 'verify') {
  Invoke-Manual 'nbu-primary.corp.example:verify.login' 'Log in as a NetBackup administrator' @('On nbu-primary.corp.example, run: bpnbat.exe -login -logintype WEB', 'Give your NetBackup administrator credentials at its prompts (nbsecure never asks for or stores them).')
  }

  # Delete the rollout token "win-rollout"
  # Why: Every host that needed it has its certificate by now: a token left behind is a credential anyone who finds it could use until it expires. Its captured copy is removed too.
  if (Test-RunStage 'verify') {
  Write-Step 'nbu-primary.corp.example:token.delete' 'Delete the rollout token "win-rollout"'
  & {
    try { Invoke-Native (Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe') @('-deleteToken', '-name', 'win-rollout') } catch { Write-Host '    a failure is fine: the token was already deleted or has expired' }
    Remove-Item -Force -Path (Get-TokenOut) -ErrorAction SilentlyContinue
    Set-Content -Path "$(Get-TokenOut).retired" -Value 'deleted after the rollout'
  }
  }

  Write-Host "`nnbsecure: all steps for nbu-primary.corp.example are done."
} finally {
  Remove-Item -Recurse -Force -Path $workdir -ErrorAction SilentlyContinue
}
