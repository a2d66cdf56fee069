-- Starts QR logins (POST {issuer}/api/v1/qr-logins, no body) and appends "id poll_token" of each
-- to the file named by QR_LOGINS, for qr-poll.lua. The response hook costs wrk some CPU: the
-- creation rate it measures is a little below what Jeton can do.
wrk.method = "POST"
local out = io.open(os.getenv("QR_LOGINS"), "a")
response = function(status, headers, body)
  if status == 201 then
    local id = body:match('"id":"(qrl_[^"]+)"')
    local poll = body:match('"poll_token":"(jeton_qp_[^"]+)"')
    if id and poll then
      out:write(id .. " " .. poll .. "\n")
      out:flush()
    end
  end
end
