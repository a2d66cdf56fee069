-- A flood of refused presentations: every request to /me carries a different malformed bearer
-- token, so each is a fresh rejection for the rejection log (and a fresh rate-limit key would
-- never be made: rejected tokens are not counted against a bucket). run-limits.sh reads the
-- rejections recorded and dropped from /metrics afterwards.
local counter = 0
request = function()
  counter = counter + 1
  local token = string.format("bad-token-%d-%d-%d", os.time(), math.random(1, 1000000000), counter)
  return wrk.format("GET", nil, {["Authorization"] = "Bearer " .. token})
end
if os.getenv("WRK_DIR") then done = dofile(os.getenv("WRK_DIR") .. "/dist.lua").done end
