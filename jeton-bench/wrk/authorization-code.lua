-- The authorization code exchange (RFC 6749 4.1.3) with PKCE (RFC 7636), for a confidential
-- client (client_secret_basic). Codes are single use: CODE_FILE lists seeded codes, one a line,
-- all for CODE_VERIFIER and REDIRECT_URI; thread i of n takes lines i, i+n, i+2n, ... and
-- presents each once. Script argument: the number of wrk threads (-- n; default 1). A thread
-- that runs out sends the placeholder "exhausted" (answered invalid_grant). Prints
-- "failures N" (answers other than 200) and "exhausted N" (requests without a code).
local counter = 0
local threads = {}
local headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Authorization"] = os.getenv("CLIENT_BASIC"),
}
local tail = "&redirect_uri=" .. os.getenv("REDIRECT_URI_ENC")
  .. "&code_verifier=" .. os.getenv("CODE_VERIFIER")

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  threads[counter] = thread
end

function init(args)
  local n = tonumber(args[1] or "1")
  codes = {}
  local i = 0
  for line in io.lines(os.getenv("CODE_FILE")) do
    if i % n == id - 1 then
      codes[#codes + 1] = line
    end
    i = i + 1
  end
  next_code = 1
  failures = 0
  exhausted = 0
end

function request()
  local code = codes[next_code]
  if code == nil then
    exhausted = exhausted + 1
    code = "exhausted"
  else
    next_code = next_code + 1
  end
  return wrk.format("POST", wrk.path, headers,
    "grant_type=authorization_code&code=" .. code .. tail)
end

function response(status, headers, body)
  if status ~= 200 then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local total, out = 0, 0
  for _, t in ipairs(threads) do
    total = total + t:get("failures")
    out = out + t:get("exhausted")
  end
  print("failures " .. total)
  print("exhausted " .. out)
end
