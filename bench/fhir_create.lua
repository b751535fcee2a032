-- fhir_create.lua - wrk script for the FHIR create row of make bench: POST
-- a Patient to /fhir/Patient, the same body for every server.
--   SW_BENCH_BODY   the Patient JSON; every "@N@" in it becomes a number
--                   unique to the request (MRN, family name), so that no
--                   two creates carry the same identifier or name
--   SW_BENCH_TOKEN  a bearer token, sent as Authorization when set
local parts = {}
local headers = {}
local threads = 0
local n = 0

function setup(thread)
    threads = threads + 1
    thread:set("thread_no", threads)
end

function init(args)
    local file = os.getenv("SW_BENCH_BODY")
    local f = assert(io.open(file or "", "r"), "SW_BENCH_BODY must name a readable file")
    local body = f:read("*a")
    f:close()
    local from = 1
    while true do
        local s, e = string.find(body, "@N@", from, true)
        if not s then break end
        parts[#parts + 1] = string.sub(body, from, s - 1)
        from = e + 1
    end
    parts[#parts + 1] = string.sub(body, from)
    headers["Content-Type"] = "application/fhir+json"
    headers["Accept"] = "application/fhir+json"
    local token = os.getenv("SW_BENCH_TOKEN")
    if token and #token > 0 then headers["Authorization"] = "Bearer " .. token end
    -- Distinct across threads and across wrk runs (the warm-up, then the
    -- measured run, a second or more apart); under 1e14, which LuaJIT's
    -- tostring prints as an integer.
    n = (os.time() % 10000) * 1000000000 + (thread_no or 0) * 100000000
end

function request()
    n = n + 1
    local id = tostring(n)
    return wrk.format("POST", "/fhir/Patient", headers, table.concat(parts, id))
end
