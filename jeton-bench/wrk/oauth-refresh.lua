-- The OAuth refresh_token grant (RFC 6749 6) with rotation, for a confidential client
-- (client_secret_basic): every thread owns one session and follows its chain of refresh tokens
-- (each answer's refresh_token is presented next). Run with as many threads as connections.
-- CLIENT_BASIC is the Authorization header value; RT_FILE lists one initial refresh token per
-- line (URL-safe, no form-encoding needed). Prints "failures N" (answers other than 200).
local tokens = {}
for line in io.lines(os.getenv("RT_FILE")) do
  tokens[#tokens + 1] = line
end
local counter = 0
local threads = {}
local headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Authorization"] = os.getenv("CLIENT_BASIC"),
}

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
  return wrk.format("POST", wrk.path, headers, "grant_type=refresh_token&refresh_token=" .. rt)
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
