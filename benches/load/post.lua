-- wrk: POST the JSON body in $BODY to the URL given on the command line.
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

-- count non-2xx answers, so a fast error is never taken for throughput
local bad = 0
function response(status, headers, body)
  if status >= 300 then bad = bad + 1 end
end
function done(summary, latency, requests)
  io.write(string.format("non2xx %d\n", summary.errors.status))
end
