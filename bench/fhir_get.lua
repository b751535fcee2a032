-- fhir_get.lua - wrk script for the FHIR read and search rows of make bench:
-- GET a path picked at random from a file, one path a line, with the same
-- headers for every server.
--   SW_BENCH_PATHS  the file of paths ("/fhir/Patient/ID", "/fhir/Patient?family=X")
--   SW_BENCH_TOKEN  a bearer token, sent as Authorization when set (the
--                   comparison server ignores it; it gets the same bytes)
-- Every request is formatted once in init; request() only picks one, so the
-- client spends as little as possible of the shared cores. Each thread
-- seeds its generator with its own number: runs are repeatable.
local paths = {}
local reqs = {}
local threads = 0

function setup(thread)
    threads = threads + 1
    thread:set("thread_no", threads)
end

function init(args)
    local file = os.getenv("SW_BENCH_PATHS")
    local f = assert(io.open(file or "", "r"), "SW_BENCH_PATHS must name a readable file")
    for line in f:lines() do
        if #line > 0 then paths[#paths + 1] = line end
    end
    f:close()
    assert(#paths > 0, "no paths in " .. file)
    local headers = { ["Accept"] = "application/fhir+json" }
    local token = os.getenv("SW_BENCH_TOKEN")
    if token and #token > 0 then headers["Authorization"] = "Bearer " .. token end
    for i, p in ipairs(paths) do reqs[i] = wrk.format("GET", p, headers) end
    math.randomseed(1000 + (thread_no or 0))
end

function request()
    return reqs[math.random(#reqs)]
end
