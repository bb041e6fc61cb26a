-- GET /v1/meetings?page_size=20: the host's first page, read from the database every time (no
-- cache in front of lists), so it shows what a read costs the engine.
dofile(os.getenv("QUORUM_BENCH_DIR") .. "/report.lua")

wrk.method = "GET"
wrk.path = "/v1/meetings?page_size=20"
bench.authorize()
