#!powershell
# nbsecure_steps_win: runs one rollout stage of a Windows host's nbsecure steps, the host's own script (the one the
# runbook shows, with lib.ps1), and turns the events it writes into Ansible's changed / failed and results. It
# interprets no step; the waves' tokens on a Windows primary are the only work of its own.

#AnsibleRequires -CSharpUtil Ansible.Basic

$spec = @{
    options = @{
        action = @{ type = 'str'; default = 'run'; choices = @('run', 'wave_tokens', 'wave_end') }
        script = @{ type = 'str'; default = '' }
        stage = @{ type = 'str'; default = '' }
        step_timeout = @{ type = 'int'; default = 600 }
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
        api_key = @{ type = 'str'; default = ''; no_log = $true }
        facts = @{ type = 'dict'; default = @{} }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$p = $module.Params
$check = $module.CheckMode
$tokenRe = "\b$($p.token_shape)\b"
$module.Result.changed = $false

function Read-Secret([string]$Path) {
    if ($Path -and (Test-Path -LiteralPath $Path)) { return (Get-Content -Raw -LiteralPath $Path).Trim() }
    return ''
}
$secrets = @($p.secret_files.Values | ForEach-Object { Read-Secret $_ }) + @([string]$p.api_key)
function Hide-Secret([string]$Text) {
    foreach ($s in $secrets) { if ($s.Length -ge 4) { $Text = $Text.Replace($s, '[REDACTED]') } }
    return [regex]::Replace($Text, $tokenRe, '[REDACTED]')
}

# A command of this module's own (the waves' tokens): with the API key when one is given, as a session needs.
function Invoke-Words([object[]]$Words, [object]$Stdin) {
    if ($p.api_key) { $env:NETBACKUP_APIKEY = $p.api_key }
    try { $out = & $Words[0] @($Words | Select-Object -Skip 1) 2>&1 | Out-String }
    finally { Remove-Item -Path 'Env:NETBACKUP_APIKEY' -ErrorAction SilentlyContinue }
    return @{ rc = $LASTEXITCODE; out = $out }
}

$stateDir = Split-Path -Parent $p.state_file
if (-not $check -and -not (Test-Path -LiteralPath $stateDir)) {
    New-Item -ItemType Directory -Path $stateDir | Out-Null
}
# The script keeps its lines in the state file (owed, done once); this module its own (the waves' tokens).
function Get-State {
    if (Test-Path -LiteralPath $p.state_file) { return @(Get-Content -LiteralPath $p.state_file) }
    return @()
}
$state = [System.Collections.Generic.List[string]]::new()
Get-State | ForEach-Object { $state.Add($_) }
function Save-State {
    if ($check) { return }
    $theirs = @(Get-State | Where-Object { $_ -notlike 'wave-token *' })
    Set-Content -LiteralPath $p.state_file -Value (@($theirs) + @($state | Where-Object { $_ -like 'wave-token *' }))
}

function Write-Private([string]$Path, [string]$Text) {
    Set-Content -LiteralPath $Path -Value $Text
    icacls $Path /inheritance:r /grant:r "$($env:USERNAME):(R,W)" | Out-Null
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
        $what = "Making the reissue token of $($entry.host)"
        $tokens.hosts[$entry.host] = New-Token $entry.words @{ '-name' = $name } $what
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

# The host's script for the stage, with what it needs in its environment; its events, and its exit status.
function Invoke-Script {
    $folder = Join-Path ([IO.Path]::GetTempPath()) ("nbsecure-secrets-step-" + [Guid]::NewGuid())
    New-Item -ItemType Directory -Path $folder | Out-Null
    try {
        $script = Join-Path $folder 'steps.ps1'
        Set-Content -LiteralPath $script -Value $p.script
        $events = Join-Path $folder 'events'
        $flag = { param([bool]$On) if ($On) { '1' } else { '' } }
        $vars = @{
            NBSECURE_STAGE = $p.stage
            NBSECURE_STATE_FILE = $p.state_file
            NBSECURE_TOKEN_OUT = $p.token_file
            NBSECURE_EVENTS = $events
            NBSECURE_STEP_TIMEOUT = [string]$p.step_timeout
            NBSECURE_CHECK = & $flag $check
            NBSECURE_REISSUE = & $flag $p.reissue
            NBSECURE_PER_WAVE = & $flag $p.per_wave
            # In check mode nothing waits for a token: the dry run says what the wave would do.
            NBSECURE_TOKEN_WAIT = & $flag ($p.token_wait -and -not $check)
            NBSECURE_MANUAL_DONE = (@($p.confirmed) -join ',')
            NBSECURE_FACT_CAFINGERPRINT = [string]$p.facts['caFingerprint']
            NBSECURE_TOKEN_FILE = [string]$p.secret_files['token']
            NBSECURE_PASSPHRASE_FILE = [string]$p.secret_files['passphrase']
        }
        if ($p.api_key) {
            $vars.NBSECURE_API_KEY_FILE = Join-Path $folder 'api-key'
            Write-Private $vars.NBSECURE_API_KEY_FILE $p.api_key
        }
        foreach ($k in $vars.Keys) { Set-Item -Path "Env:$k" -Value $vars[$k] }
        $out = & powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File $script 2>&1 | Out-String
        $rc = $LASTEXITCODE
        # Each event as a table: a field an event lacks reads as nothing, under strict mode too.
        $list = @(if (Test-Path -LiteralPath $events) {
                Get-Content -LiteralPath $events | Where-Object { $_ } | ForEach-Object {
                    $table = @{}
                    foreach ($field in ($_ | ConvertFrom-Json).PSObject.Properties) {
                        $table[$field.Name] = $field.Value
                    }
                    $table
                }
            })
        return @{ rc = $rc; events = $list; output = (Hide-Secret $out) }
    } finally {
        foreach ($k in @($vars.Keys)) { Remove-Item -Path "Env:$k" -ErrorAction SilentlyContinue }
        Remove-Item -Recurse -Force -LiteralPath $folder -ErrorAction SilentlyContinue
    }
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
$run = Invoke-Script
$results = @($run.events | Where-Object { $_.type -eq 'step-done' } | ForEach-Object {
        @{ id = $_.step; outcome = $_.outcome; detail = [string]$_.detail } })
foreach ($e in @($run.events | Where-Object { $_.type -eq 'notice' })) {
    $module.Warn("$($e.step): $(Hide-Secret $e.text)")
}
$module.Result.changed = @($results | Where-Object { $_.outcome -eq 'changed' }).Count -gt 0
$module.Result.facts = @{}
foreach ($e in @($run.events | Where-Object { $_.type -eq 'fact' })) { $module.Result.facts[$e.name] = $e.value }
if ($p.per_wave -and -not $check) {
    foreach ($s in @($p.steps | Where-Object { $_.perWave -and $_.retires -and $_.stage -eq $p.stage })) {
        $left = Remove-WaveTokens $s.argv.words[0]
        $deleted = @{ id = $s.id; outcome = 'unchanged'; detail = "deleted $($left -join ', ')" }
        $results = @($results | Where-Object { $_.id -ne $s.id }) + @($deleted)
    }
    Save-State
}
$module.Result.steps = $results
$module.Result.output = $run.output
$last = if (@($run.events).Count) { @($run.events)[-1] } else { $null }
if ($run.rc -eq 0) { $module.ExitJson() }
if ($run.rc -eq 4 -and $last -and ($last.for -eq 'token' -or $last.for -eq 'reissue-token')) {
    $kind = if ($last.for -eq 'token') { 'token' } else { 'reissue' }
    $module.Result.awaiting = @{ kind = $kind; step = $last.step; token = @($last.command) }
    $module.ExitJson()
}
if ($run.rc -eq 4 -and $last -and $last.type -eq 'manual-needed') {
    $module.Result.nbsecure_manual = $last.step
    $steps = @($last.instructions) -join ' '
    $module.FailJson(("MANUAL $($last.step): $($last.title). $steps When it is done, run again with " +
        "-e '{`"nbsecure_confirmed`": [`"$($last.step)`"]}'."))
}
if ($run.rc -eq 1 -and $last -and $last.outcome -eq 'failed') {
    $module.FailJson("$($last.title) ($($last.step)): $($last.detail)")
}
$module.FailJson("the script for $($p.stage) stopped with exit status $($run.rc): $($run.output)")
