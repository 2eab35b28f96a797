@REM Settings for new2.corp.example: set these in the silentclient.cmd of your NetBackup installation media, then run it.
@REM The token is never written here: the plan deploys the certificate after installation, with the token in a
@REM file readable by you alone.
@REM VERIFY FOR YOUR VERSION: the certificate variables (CA fingerprint, authorization token) of silentclient.cmd are
@REM named as the script itself says for your version; leave the token out and let the plan deploy it.
@set CLIENT=new2.corp.example
@set MASTERSERVER=nbu-primary.corp.example
@set ADDITIONALSERVERS=nbu-media1.corp.example,nbu-media2.corp.example
