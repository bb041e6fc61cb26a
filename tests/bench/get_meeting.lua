-- GET /v1/meetings/{id} as the meeting's host.
dofile(os.getenv("QUORUM_BENCH_DIR") .. "/report.lua")

wrk.method = "GET"
wrk.path = "/v1/meetings/" .. bench.meeting
bench.authorize()
