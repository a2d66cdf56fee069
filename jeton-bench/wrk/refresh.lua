-- Refresh with rotation: every thread owns one session and follows its chain of refresh tokens
-- (each answer's refresh_token is presented next). Run with as many threads as connections.
-- RT_FILE lists one initial refresh token per line (URL-safe, no encoding needed). Prints
-- "failures N" (answers other than 200) at the end.
-- Jeton's own API ({"refresh_token"} as JSON at /auth/refresh) by default; with the script
-- argument "oauth" (wrk ... -- oauth) the OAuth refresh_token grant (RFC 6749 6) of a
-- confidential client, CLIENT_BASIC being its Authorization header value.
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
  oauth = args[1] == "oauth"
  if oauth then
    headers = {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Authorization"] = os.getenv("CLIENT_BASIC"),
    }
  else
    headers = { ["Content-Type"] = "application/json" }
  end
end

function request()
  if oauth then
    return wrk.format("POST", wrk.path, headers, "grant_type=refresh_token&refresh_token=" .. rt)
  end
  return wrk.format("POST", wrk.path, headers, '{"refresh_token":"' .. rt .. '"}')
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
