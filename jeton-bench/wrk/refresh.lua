-- Refresh with rotation: every thread owns one session and follows its chain of refresh tokens
-- (each answer's refresh_token is presented next). Run with as many threads as connections.
-- RT_FILE lists one initial refresh token per line. Prints "failures N" (answers other than 200)
-- at the end.
local tokens = {}
for line in io.lines(os.getenv("RT_FILE")) do
  tokens[#tokens + 1] = line
end
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  threads[counter] = thread
end

function init(args)
  rt = tokens[id]
  failures = 0
end

function request()
  return wrk.format("POST", wrk.path, { ["Content-Type"] = "application/json" },
    '{"refresh_token":"' .. rt .. '"}')
end

function response(status, headers, body)
  if status == 200 then
    rt = string.match(body, '"refresh_token":"([^"]+)"')
  else
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do
    total = total + t:get("failures")
  end
  print("failures " .. total)
end
