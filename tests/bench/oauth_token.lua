-- POST /oauth/token with grant_type=client_credentials, the client authenticated with HTTP Basic:
-- every request mints a fresh access token (a row in access_tokens).
dofile(os.getenv("QUORUM_BENCH_DIR") .. "/report.lua")

wrk.method = "POST"
wrk.path = "/oauth/token"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. (os.getenv("QUORUM_BASIC") or "")
wrk.body = "grant_type=client_credentials"
