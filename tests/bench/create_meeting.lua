-- POST /v1/meetings: every request schedules a new meeting (no Idempotency-Key, so no replay).
dofile(os.getenv("QUORUM_BENCH_DIR") .. "/report.lua")

wrk.method = "POST"
wrk.path = "/v1/meetings"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"topic":"Bench stand-up","start_time":"' .. os.getenv("QUORUM_START_TIME")
    .. '","timezone":"Europe/Berlin","duration_minutes":30}'
bench.authorize()
