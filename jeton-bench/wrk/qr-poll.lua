-- Polls QR logins (GET {issuer}/api/v1/qr-logins/{id} with the poll token), each login by one
-- thread only and in turn, so that no login is polled faster than its interval while there are
-- enough of them (at least the rate times the interval). QR_LOGINS names the file qr-create.lua
-- wrote, QR_THREADS the number of wrk threads (-t). Prints "failures N": answers other than
-- 200 that are not slow_down (a poll that came before its interval, counted in Non-2xx only).
local counter = 0
local threads = {}
setup = function(thread)
  thread:set("tid", counter)
  counter = counter + 1
  threads[counter] = thread
end

local logins = {}
local next = 1
init = function(args)
  failures = 0
  local threads = tonumber(os.getenv("QR_THREADS") or "2")
  local i = 0
  for line in io.lines(os.getenv("QR_LOGINS")) do
    if i % threads == tid then
      local id, poll = line:match("^(%S+) (%S+)$")
      logins[#logins + 1] = {path = wrk.path .. "/" .. id, auth = "Bearer " .. poll}
    end
    i = i + 1
  end
end

request = function()
  local l = logins[next]
  next = next % #logins + 1
  return wrk.format("GET", l.path, {["Authorization"] = l.auth})
end

response = function(status, headers, body)
  if status ~= 200 and not (status == 400 and body:find('"slow_down"', 1, true)) then
    failures = failures + 1
  end
end

done = function(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do
    total = total + t:get("failures")
  end
  print("failures " .. total)
end
