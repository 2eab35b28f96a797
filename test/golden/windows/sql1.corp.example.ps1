#Requires -Version 5.1
# nbsecure: steps for sql1.corp.example (client, windows, NetBackup 11.1)
# Plan digest 2dc4b8727ae5697477974a56c4722d0f0019506920599e2d2c1bf29f9921cfb6. Generated: change the answers and run `nbsecure plan` again instead of editing.
# Run in an elevated PowerShell on sql1.corp.example. The token comes from $env:NBSECURE_TOKEN_FILE,
# $env:NBSECURE_TOKEN or a hidden prompt (the ECA key passphrase likewise: NBSECURE_PASSPHRASE_FILE,
# NBSECURE_PASSPHRASE), and reaches NetBackup only through a file readable by you alone.
# Manual steps stop the script unless listed in $env:NBSECURE_MANUAL_DONE (comma-separated step ids).
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$workdir = Join-Path ([IO.Path]::GetTempPath()) ("nbsecure-" + [Guid]::NewGuid())
New-Item -ItemType Directory -Path $workdir | Out-Null

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
  # Why: Sets SERVER, CLIENT_NAME. Repeated keys are written as the complete list, merged with entries already on the host, because setting one replaces the whole set.
  if (Test-RunStage 'clients') {
  Write-Step 'sql1.corp.example:config.set' 'Write the NetBackup configuration'
  & {
    Assert-Identity 'CLIENT_NAME' 'sql1.corp.example' (Join-Path $NbRoot 'NetBackup\bin\nbgetconfig.exe') @('CLIENT_NAME')
    $change = Get-ConfigChange "SERVER = nbu-primary.corp.example`nSERVER = nbu-media1.corp.example`nSERVER = nbu-media2.corp.example`nCLIENT_NAME = sql1.corp.example`n" @('SERVER') (Join-Path $NbRoot 'NetBackup\bin\nbgetconfig.exe') @()
    if (-not $change) { Write-Host '    no changes: the configuration already matches' } else { Invoke-Native (Join-Path $NbRoot 'NetBackup\bin\nbsetconfig.exe') @() $change }
  }
  }

  # Read the configuration back
  # Why: Confirms that every value the plan owns is now in effect.
  if (Test-RunStage 'clients') {
  Write-Step 'sql1.corp.example:config.verify' 'Read the configuration back'
  & {
    Invoke-Native (Join-Path $NbRoot 'NetBackup\bin\nbgetconfig.exe') @('SERVER', 'CLIENT_NAME')
  }
  }

  # Fetch the CA certificate and check its fingerprint
  # Why: Trust is established only if the CA the primary presents has the fingerprint from the answers; a mismatch stops here instead of trusting an impostor.
  if (Test-RunStage 'clients') {
  Write-Step 'sql1.corp.example:ca.get' 'Fetch the CA certificate and check its fingerprint'
  if (Test-Done 'C2:7D:A7:77:CE:C3:90:C2:BD:87:73:D9:07:DF:F1:E7:5E:3F:43:93:3A:1C:50:55:9B:65:F5:4D:CF:D6:09:F7' (Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe') @('-listCACertDetails')) { Write-Host '    already done' } else {
    $ca_fingerprint_file = Join-Path $workdir 'ca_fingerprint_file'
    Set-Content -Path $ca_fingerprint_file -Value 'C2:7D:A7:77:CE:C3:90:C2:BD:87:73:D9:07:DF:F1:E7:5E:3F:43:93:3A:1C:50:55:9B:65:F5:4D:CF:D6:09:F7'
    Invoke-Native (Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe') @('-getCACertificate', '-file', $ca_fingerprint_file, '-server', 'nbu-primary.corp.example')
  }
  }

  # Deploy the host certificate with the authorization token
  # Why: A token is needed because the certificate deployment level is Very High, which asks a token of every host. It is handed over in a 0600 file, never on the command line, where the process list would show it.
  if (Test-RunStage 'clients') {
  Write-Step 'sql1.corp.example:cert.get' 'Deploy the host certificate with the authorization token'
  $certNow = Get-CertState 30 (Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe') @('-listCertDetails')
  if ($certNow -eq 'valid') { Write-Host '    already done' }
  elseif ($certNow -like 'expiring *') { Write-Host "    WARNING: $($certNow.Substring(9))"; Write-Host '    already done' }
  elseif ($certNow -like 'reissue *') {
    Assert-Reissue $certNow.Substring(8) 'on nbu-primary.corp.example, after logging in: nbcertcmd -createToken -name reissue-sql1 -reissue -host sql1.corp.example (single use, bound to this host)'
    $token_file = Join-Path $workdir 'token_file'
    Write-Secret 'token' $token_file
    Invoke-Native (Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe') @('-getCertificate', '-file', $token_file, '-force', '-server', 'nbu-primary.corp.example')
  } else {
    $token_file = Join-Path $workdir 'token_file'
    Write-Secret 'token' $token_file
    Invoke-Native (Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe') @('-getCertificate', '-file', $token_file, '-server', 'nbu-primary.corp.example')
  }
  }

  # List the host certificate
  # Why: Shows the certificate that was just issued, its host ID and expiry.
  if (Test-RunStage 'clients') {
  Write-Step 'sql1.corp.example:cert.verify' 'List the host certificate'
  & {
    Invoke-Native (Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe') @('-listCertDetails')
  }
  }

  # Check the host's certificate state
  # Why: Reports whether this host's certificate is valid and not revoked.
  if (Test-RunStage 'clients') {
  Write-Step 'sql1.corp.example:cert.selfcheck' 'Check the host''s certificate state'
  & {
    Invoke-Native (Join-Path $NbRoot 'NetBackup\bin\nbcertcmd.exe') @('-hostSelfCheck')
  }
  }

  Write-Host "`nnbsecure: all steps for sql1.corp.example are done."
} finally {
  Remove-Item -Recurse -Force -Path $workdir -ErrorAction SilentlyContinue
}
