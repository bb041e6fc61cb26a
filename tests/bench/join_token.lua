-- POST /v1/meetings/{id}/joinToken as the bearer, who hosts the meeting: a signed host token.
dofile(os.getenv("QUORUM_BENCH_DIR") .. "/report.lua")

wrk.method = "POST"
wrk.path = "/v1/meetings/" .. bench.meeting .. "/joinToken"
wrk.headers["Content-Type"] = "application/json"
wrk.body = "{}"
bench.authorize()
