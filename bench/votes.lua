-- bench/votes.py's wrk script: casts ballots in file order, each at most once per run.
--
--   wrk --threads 1 --script bench/votes.lua URL -- BALLOTS FIRST LAST SECRET
--
-- BALLOTS holds one ballot a line, "<session key> <question id> <choice id>"; this run sends
-- lines FIRST+1 .. LAST as vote POSTs with the CSRF secret SECRET (cookie and form field alike).
-- One thread, so one Lua state walks them in order. done() prints what bench/votes.py reads:
-- "issued N" (ballots handed to wrk), "redirects N" (302s to a poll's results) and "exhausted 0|1"
-- (LAST was reached: the thread stopped rather than send a ballot twice).

issued, redirects, exhausted = 0, 0, 0 -- globals: done() reads them with thread:get()
local requests, idle, verified = {}, nil, false

function init(args)
  local first, last, secret = tonumber(args[2]), tonumber(args[3]), args[4]
  -- Not a ballot: what wrk's start-up check gets, and what is sent once the ballots ran out.
  idle = wrk.format("GET", "/healthz")
  local line = 0
  for ballot in io.lines(args[1]) do
    line = line + 1
    if line > last then break end
    if line > first then
      local session, question, choice = ballot:match("^(%S+) (%d+) (%d+)$")
      requests[#requests + 1] = wrk.format("POST", "/polls/" .. question .. "/vote/", {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["Cookie"] = "sessionid=" .. session .. "; csrftoken=" .. secret,
      }, "csrfmiddlewaretoken=" .. secret .. "&choice=" .. choice)
    end
  end
end

function request()
  if not verified then -- wrk calls request() once to check its output and never sends that
    verified = true
    return idle
  end
  if issued < #requests then
    issued = issued + 1
    return requests[issued]
  end
  exhausted = 1
  wrk.thread:stop()
  return idle
end

function response(status, headers)
  if status == 302 and (headers["Location"] or ""):match("^/polls/%d+/results/$") then
    redirects = redirects + 1
  end
end

-- setup() and done() run in wrk's main Lua state, apart from the thread's.
local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

function done()
  for _, thread in ipairs(threads) do
    for _, name in ipairs({ "issued", "redirects", "exhausted" }) do
      print(name .. " " .. thread:get(name))
    end
  end
end
