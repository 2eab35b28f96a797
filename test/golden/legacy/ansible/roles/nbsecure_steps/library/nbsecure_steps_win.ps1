#!powershell
# nbsecure_steps_win: the Windows twin of nbsecure_steps.py, rule for rule (and of lib.ps1's Invoke-Step): runs one rollout
# stage of a host's nbsecure steps in order, stopping at the first that fails. Done-checks run in check mode
# too, and so does a read whose output other hosts need (the CA fingerprint); any other command runs only
# outside check mode, and "changed" only when a changing one ran.

#AnsibleRequires -CSharpUtil Ansible.Basic

$spec = @{
    options = @{
        action = @{ type = 'str'; default = 'run'; choices = @('run', 'wave_tokens', 'wave_end') }
        steps = @{ type = 'list'; elements = 'dict'; default = @() }
        token_wait = @{ type = 'bool'; default = $false }
        per_wave = @{ type = 'bool'; default = $false }
        wave = @{ type = 'dict'; default = @{} }
        state_file = @{ type = 'path'; required = $true }
        token_file = @{ type = 'path'; required = $true }
        secret_files = @{ type = 'dict'; default = @{} }
        token_shape = @{ type = 'str'; required = $true }
        confirmed = @{ type = 'list'; elements = 'str'; default = @() }
        reissue = @{ type = 'bool'; default = $false }
        facts = @{ type = 'dict'; default = @{} }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$p = $module.Params
$check = $module.CheckMode
$tokenRe = "\b$($p.token_shape)\b"
$results = [System.Collections.Generic.List[object]]::new()
$module.Result.changed = $false
$facts = @{}
# A SHA-256 fingerprint as NetBackup shows it: 32 colon-separated hex pairs (the layout around it is undocumented).
$sha256Fingerprint = '\b(?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}\b'

function Get-Fact([string]$Name) {
    $value = [string]$p.facts[$Name]
    if ($value -match "^$sha256Fingerprint$") { return $value.ToUpper() }
    return ''
}

# The CA fingerprint the primary shows, for the other hosts: only when it shows exactly one.
function Save-Fact($S, [string]$Out) {
    $seen = @([regex]::Matches($Out, $sha256Fingerprint) | ForEach-Object { $_.Value.ToUpper() } | Sort-Object -Unique)
    if ($seen.Count -eq 1) {
        $facts[$S.capturesFact] = $seen[0]
        return "read the CA fingerprint $($seen[0]) for the other hosts"
    }
    return ("the primary shows $($seen.Count) SHA-256 CA fingerprints, so none is handed on: the hosts' CA step " +
        "stays a person's (put the right one in certificates.caFingerprint)")
}

function Read-Secret([string]$Path) {
    if ($Path -and (Test-Path -LiteralPath $Path)) { return (Get-Content -Raw -LiteralPath $Path).Trim() }
    return ''
}
$secrets = @($p.secret_files.Values | ForEach-Object { Read-Secret $_ })

function Hide-Secret([string]$Text) {
    foreach ($s in $secrets) { if ($s.Length -ge 4) { $Text = $Text.Replace($s, '[REDACTED]') } }
    return [regex]::Replace($Text, $tokenRe, '[REDACTED]')
}

# Runs a command given as its words (the command first); stdin, when given, is piped. Returns rc and output.
function Invoke-Words([object[]]$Words, [object]$Stdin) {
    $rest = @($Words | Select-Object -Skip 1)
    if ($null -ne $Stdin) { $out = $Stdin | & $Words[0] @rest 2>&1 | Out-String }
    else { $out = & $Words[0] @rest 2>&1 | Out-String }
    return @{ rc = $LASTEXITCODE; out = $out }
}

$stateDir = Split-Path -Parent $p.state_file
if (-not $check -and -not (Test-Path -LiteralPath $stateDir)) { New-Item -ItemType Directory -Path $stateDir | Out-Null }
$state = [System.Collections.Generic.List[string]]::new()
if (Test-Path -LiteralPath $p.state_file) { Get-Content -LiteralPath $p.state_file | ForEach-Object { $state.Add($_) } }

function Save-State {
    if (-not $check) { Set-Content -LiteralPath $p.state_file -Value @($state) }
}

function Add-Result($S, [string]$Outcome, [string]$Detail, [hashtable]$More = @{}) {
    $r = @{ id = $S.id; title = $S.title; outcome = $Outcome; detail = $Detail }
    foreach ($k in $More.Keys) { $r[$k] = $More[$k] }
    $results.Add($r)
}

function Stop-Step($S, [string]$Message, [hashtable]$More = @{}) {
    Add-Result $S 'failed' $Message $More
    Save-State
    $module.Result.steps = $results
    $module.FailJson("$($S.title) ($($S.id)): $Message")
}

function Get-Pairs([string]$Text) {
    $pairs = @()
    foreach ($line in ($Text -split "`r?`n")) {
        if ($line -match '^\s*([^=\s]+)\s*=\s*(.*?)\s*$') { $pairs += , @($Matches[1], $Matches[2]) }
    }
    return , $pairs
}

# Only the owned keys whose values differ, each as its complete list; repeated keys keep the host's others.
function Get-ConfigChange([string]$Current, [string]$Planned, [string[]]$Repeated) {
    $want = [ordered]@{}
    foreach ($pair in (Get-Pairs $Planned)) {
        if (-not $want.Contains($pair[0])) { $want[$pair[0]] = @() }
        $want[$pair[0]] += $pair[1]
    }
    $have = @{}
    foreach ($pair in (Get-Pairs $Current)) {
        if ($want.Contains($pair[0])) {
            if (-not $have.ContainsKey($pair[0])) { $have[$pair[0]] = @() }
            $have[$pair[0]] += $pair[1]
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

# valid, 'expiring WORDS', 'reissue WHY' or none, from nbcertcmd -listCertDetails (layout unconfirmed).
function Get-CertState([string]$Out, [int]$Rc, [int]$WarnDays) {
    if ($Rc -ne 0) { return 'none' }
    if ($Out -match '\brevoked\b') { return 'reissue the host certificate is revoked' }
    if ($Out -notmatch '(?im)^\s*Expiry Date\s*:\s*(.+?)\s*$') { return 'valid' }
    $expiry = [datetime]::MinValue
    if (-not [datetime]::TryParse($Matches[1], [ref]$expiry)) { return 'valid' }
    $utc = $expiry.ToUniversalTime()
    $days = [int][math]::Floor(($utc - [datetime]::UtcNow).TotalDays)
    $day = $utc.ToString('yyyy-MM-dd')
    if ($utc -le [datetime]::UtcNow) { return "reissue the host certificate expired on $day" }
    if ($days -le $WarnDays) {
        return "expiring the host certificate expires on $day, in $days days; certificates renew themselves 180 days" +
        ' before expiry, so renewal has failed here: run nbcertcmd -renewCertificate'
    }
    return 'valid'
}

# Hosts at 8.0 or earlier in nbemmcmd -listhosts -verbose that the answers do not name (layout unconfirmed).
function Get-UnlistedLegacy([string]$Out, [string[]]$Known) {
    $ok = @{}
    foreach ($k in $Known) { $ok[$k.ToLower()] = $true; $ok[$k.ToLower().Split('.')[0]] = $true }
    $found = @()
    $name = $null
    foreach ($line in ($Out -split "`r?`n")) {
        if ($line -match '^\s*MachineName\s*=\s*"?([^"\s]+)') { $name = $Matches[1] }
        elseif ($name -and $line -match '^\s*NetBackupVersion\s*=\s*(\d+(?:\.\d+)*)') {
            $v = $Matches[1]
            $parts = @($v.Split('.') | ForEach-Object { [int]$_ })
            $legacy = ($parts[0] -lt 8) -or ($parts[0] -eq 8 -and $parts.Count -gt 1 -and $parts[1] -eq 0)
            $zero = -not ($parts | Where-Object { $_ -ne 0 })
            $short = $name.ToLower().Split('.')[0]
            if ($legacy -and -not $zero -and -not $ok[$name.ToLower()] -and -not $ok[$short]) { $found += "$name ($v)" }
            $name = $null
        }
    }
    return , $found
}

function Test-TokenAtHand {
    if (Test-Path -LiteralPath "$($p.token_file).retired") { return $true }
    return (Read-Secret $p.token_file) -cmatch "^$($p.token_shape)$"
}

function Write-Private([string]$Path, [string]$Text) {
    Set-Content -LiteralPath $Path -Value $Text
    icacls $Path /inheritance:r /grant:r "$($env:USERNAME):(R,W)" | Out-Null
}

# A step needs a token its wave makes on the primary: the host stops here, unharmed, and runs again with it.
$awaiting = $null
function Stop-ForToken([string]$Kind, $S, $Token) {
    $script:awaiting = @{ kind = $Kind; step = $S; token = $Token }
    throw 'nbsecure: waiting for a token'
}

function Test-SecretAtHand([string]$Kind) {
    $source = $p.secret_files[$Kind]
    return [bool]($source -and (Read-Secret $source))
}

# Makes a token on the primary (with the session) from a planned -createToken, with the given flags' values
# replaced; its name is recorded before it exists, for wave_end. Never shown.
function New-Token([object[]]$Words, [hashtable]$Values, [string]$What) {
    $Words = @($Words)
    foreach ($flag in $Values.Keys) { $Words[[array]::IndexOf($Words, $flag) + 1] = $Values[$flag] }
    $state.Add("wave-token $($Values['-name'])")
    Save-State
    $ran = Invoke-Words $Words $null
    $created = [regex]::Match($ran.out, $tokenRe)
    if ($ran.rc -ne 0 -or -not $created.Success) {
        $module.FailJson("$What failed (exit status $($ran.rc)): $(Hide-Secret $ran.out)")
    }
    return $created.Value
}

# One token for the wave's hosts that need one (-maxUses that many), and a reissue token per host whose
# certificate expired or was revoked; their names are kept in the primary's state until wave_end.
function New-WaveTokens {
    $wave = $p.wave
    $tokens = @{ hosts = @{} }
    $made = @()
    $shared = [int]$wave.shared
    if ($shared -gt 0) {
        $values = @{ '-name' = $wave.name; '-maxUses' = [string]$shared; '-validFor' = $wave.create.perWave.validFor }
        $tokens.shared = New-Token $wave.create.argv.words $values "Making the token for $shared hosts"
        $made += $wave.name
    }
    foreach ($entry in @($wave.reissue)) {
        if (-not $entry) { continue }
        $name = "$($entry.words[[array]::IndexOf(@($entry.words), '-name') + 1])-$($wave.name)"
        $tokens.hosts[$entry.host] = New-Token $entry.words @{ '-name' = $name } "Making the reissue token of $($entry.host)"
        $made += $name
    }
    $module.Result.changed = $made.Count -gt 0
    return @{ tokens = $tokens; made = $made }
}

# Deletes every token the waves made that is still recorded (a failure there is fine: it may be spent).
function Remove-WaveTokens([string]$Nbcertcmd) {
    $names = @($state | Where-Object { $_ -like 'wave-token *' } | ForEach-Object { $_.Substring(11) })
    foreach ($name in $names) { Invoke-Words @($Nbcertcmd, '-deleteToken', '-name', $name) $null | Out-Null }
    foreach ($name in $names) { [void]$state.Remove("wave-token $name") }
    if ($names.Count) { $module.Result.changed = $true }
    return , $names
}

function Invoke-NbStep($S) {
    if ($S.perWave -and $p.per_wave) {
        if ($S.retires) {
            $left = Remove-WaveTokens $S.argv.words[0]
            if ($left.Count) { Add-Result $S 'changed' "deleted $($left -join ', '), left by a wave" }
            else { Add-Result $S 'unchanged' 'no wave left a token' }
            return
        }
        Add-Result $S 'skipped' 'the rollout makes a token per wave and deletes it after the wave'
        return
    }
    if ($S.ContainsKey('manual') -and $S.ContainsKey('withFact') -and (Get-Fact $S.withFact.fact)) {
        # The fingerprint was read on the primary over Ansible's own connection: the fetch is verified against it.
        $automated = @{}
        foreach ($k in $S.Keys) { if ($k -ne 'manual' -and $k -ne 'withFact') { $automated[$k] = $S[$k] } }
        $automated.argv = $S.withFact.argv
        $automated.files = $S.withFact.files
        $automated.done = $S.withFact.done
        $automated.doneMatch = [regex]::Escape((Get-Fact $S.withFact.fact))
        Invoke-NbStep $automated
        return
    }
    if ($S.ContainsKey('manual')) {
        if ($p.confirmed -contains $S.id) { Add-Result $S 'unchanged' 'confirmed done'; return }
        Add-Result $S 'manual' 'a person must do this step'
        Save-State
        $module.Result.steps = $results
        $module.Result.nbsecure_manual = $S.id
        $module.FailJson("MANUAL $($S.id): $($S.title). $($S.manual -join ' ') When it is done, run again with " +
            "-e '{`"nbsecure_confirmed`": [`"$($S.id)`"]}'.")
    }
    if ($S.once -and $state.Contains($S.id)) { Add-Result $S 'skipped' 'done in an earlier run: it is done once'; return }
    if ($S.skipIfCaptured -and (Test-TokenAtHand)) { Add-Result $S 'skipped' 'the token captured earlier is at hand'; return }
    if ($S.ContainsKey('onlyIfChanged') -and -not $state.Contains("owed $($S.id)")) {
        Add-Result $S 'skipped' 'nothing changed that needs it'
        return
    }
    $command = $S.argv
    $files = @($S.files)
    $stdin = if ($S.ContainsKey('stdin')) { $S.stdin } else { $null }
    if ($S.ContainsKey('done')) {
        $done = Invoke-Words $S.done.words $null
        if ($S.ContainsKey('certWarnDays')) {
            $cert = Get-CertState $done.out $done.rc $S.certWarnDays
            if ($cert -eq 'valid') { Add-Result $S 'unchanged' 'already done'; return }
            if ($cert -like 'expiring *') { Add-Result $S 'unchanged' 'already done' @{ warning = $cert.Substring(9) }; return }
            if ($cert -like 'reissue *') {
                if (-not $p.reissue -and $p.token_wait -and $S.reissue.ContainsKey('token') -and -not $check) {
                    Stop-ForToken 'reissue' $S @($S.reissue.token.words)
                }
                if (-not $p.reissue) {
                    Stop-Step $S ("$($cert.Substring(8)), so it needs a reissue token: create it $($S.reissue.howTo), " +
                        'then run again with -e nbsecure_reissue=true')
                }
                $command = $S.reissue.argv
                $files = @($S.reissue.files)
                $stdin = $null
            }
        } elseif ($done.rc -eq 0 -and (-not $S.ContainsKey('doneMatch') -or $done.out -match $S.doneMatch)) {
            Add-Result $S 'unchanged' 'already done'
            return
        }
    }
    if ($S.ContainsKey('identity')) {
        $read = Invoke-Words $S.identity.read.words $null
        $current = @{}
        foreach ($pair in (Get-Pairs $read.out)) { if (-not $current.ContainsKey($pair[0])) { $current[$pair[0]] = $pair[1] } }
        for ($i = 0; $i -lt @($S.identity.names).Count; $i++) {
            $key = @($S.identity.names)[$i]
            $want = @($S.identity.wants)[$i]
            if ($current[$key] -and $current[$key] -ne $want) {
                Stop-Step $S ("$key is $($current[$key]) on this host and the plan says ${want}: changing it would change " +
                    "this host's NetBackup identity (its policies, host ID mappings and catalog entries). Correct the " +
                    'answers, or set replaceClientName: true for this host to change it on purpose')
            }
        }
    }
    if ($S.ContainsKey('merge')) {
        $read = Invoke-Words $S.merge.read.words $null
        if ($read.rc -ne 0) { Stop-Step $S 'the current configuration could not be read, so repeated keys cannot be merged safely' }
        $stdin = Get-ConfigChange $read.out $S.stdin @($S.merge.names)
        if (-not $stdin) { Add-Result $S 'unchanged' 'no changes: the configuration already matches'; return }
    }
    $wantsToken = @($files | Where-Object { $_.kind -eq 'secret' -and $_.value -eq 'token' }).Count -gt 0
    if ($wantsToken -and $p.token_wait -and -not $check -and -not (Test-SecretAtHand 'token')) {
        Stop-ForToken 'token' $S $null
    }
    if ($check -and $S.changes) {
        $module.Result.changed = $true
        Add-Result $S 'changed' 'would run' @{ cmd = $command.words }
        return
    }
    if ($check -and -not $S.ContainsKey('capturesFact')) {
        Add-Result $S 'unchanged' 'would run' @{ cmd = $command.words }
        return
    }
    $folder = Join-Path ([IO.Path]::GetTempPath()) ('nbsecure-' + [Guid]::NewGuid())
    New-Item -ItemType Directory -Path $folder | Out-Null
    try {
        $argv = @($command.words)
        foreach ($f in $files) {
            $path = Join-Path $folder $f.name
            if ($f.kind -eq 'secret') {
                $source = $p.secret_files[$f.value]
                if (-not $source) { Stop-Step $S "it needs the $($f.value), and none was handed to this host" }
                Write-Private $path (Read-Secret $source)
            } elseif ($f.kind -eq 'fact') {
                Write-Private $path (Get-Fact $f.value)
            } else {
                Write-Private $path $f.value
            }
        }
        foreach ($f in @($command.files)) { $argv[[int]$f.index] = Join-Path $folder $f.file }
        # What the step owes (the restart after it) is saved before it runs: a kill mid-change keeps it owed.
        $owedNow = @(@($S.owes) | Where-Object { $_ -and -not $state.Contains("owed $_") } | ForEach-Object { "owed $_" })
        if ($owedNow.Count) {
            foreach ($o in $owedNow) { $state.Add($o) }
            Save-State
        }
        $ran = Invoke-Words $argv $stdin
    } finally {
        Remove-Item -Recurse -Force -LiteralPath $folder -ErrorAction SilentlyContinue
    }
    $shown = @{ rc = $ran.rc; stdout = (Hide-Secret $ran.out); cmd = $command.words }
    if ($ran.rc -ne 0) {
        # A status of its own: the command changed nothing, and owes nothing new.
        foreach ($o in $owedNow) { [void]$state.Remove($o) }
        if (-not $S.ContainsKey('tolerate')) { Stop-Step $S "exit status $($ran.rc)" $shown }
        if ($S.once) { $state.Add($S.id) }
        Add-Result $S 'unchanged' "exit status $($ran.rc): fine, $($S.tolerate)" $shown
        return
    }
    if ($S.ContainsKey('legacyKnown')) {
        $found = Get-UnlistedLegacy $ran.out @($S.legacyKnown)
        if ($found.Count) {
            Stop-Step $S ("the domain knows $($found -join ', '), at 8.0 or earlier and not in the answers: turning " +
                'insecure communication off would cut them off. Upgrade or decommission them, or add them to the ' +
                'answers (insecure communication then stays on), and run again')
        }
    }
    if ($S.ContainsKey('capturesFact')) {
        Add-Result $S 'unchanged' (Save-Fact $S $ran.out) $shown
        return
    }
    if ($S.captures) {
        $created = [regex]::Match($ran.out, $tokenRe)
        if ($created.Success) { Write-Private $p.token_file $created.Value }
    }
    if ($S.ContainsKey('onlyIfChanged')) { [void]$state.Remove("owed $($S.id)") }
    if ($S.once) { $state.Add($S.id) }
    if ($S.retires) {
        Remove-Item -Force -LiteralPath $p.token_file -ErrorAction SilentlyContinue
        Write-Private "$($p.token_file).retired" 'deleted after the rollout'
    }
    if ($S.changes) { $module.Result.changed = $true }
    Add-Result $S $(if ($S.changes) { 'changed' } else { 'unchanged' }) 'ok' $shown
}

if ($p.action -eq 'wave_tokens') {
    # The tokens go to a file only its owner reads, which a no_log task hands on: this result can be shown.
    $wave = New-WaveTokens
    Save-State
    Write-Private "$($p.token_file).wave" ($wave.tokens | ConvertTo-Json -Compress -Depth 4)
    $module.Result.made = $wave.made
    $module.ExitJson()
}
if ($p.action -eq 'wave_end') {
    $module.Result.deleted = Remove-WaveTokens $p.wave.nbcertcmd
    Save-State
    Remove-Item -Force -LiteralPath "$($p.token_file).wave" -ErrorAction SilentlyContinue
    $module.ExitJson()
}
try {
    foreach ($step in $p.steps) { Invoke-NbStep $step }
} catch {
    if (-not $awaiting) { throw }
    Add-Result $awaiting.step 'waiting' "waits for its wave's $($awaiting.kind) token from the primary"
    $module.Result.awaiting = @{ kind = $awaiting.kind; step = $awaiting.step.id }
    if ($awaiting.token) { $module.Result.awaiting.token = $awaiting.token }
}
Save-State
$module.Result.steps = $results
$module.Result.facts = $facts
$module.ExitJson()
