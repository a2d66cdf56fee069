-- The latency distribution of a run, printed once at its end as one line that run-spread.sh
-- reads: "latency_us p50 <n> p90 <n> p99 <n> p99.9 <n> max <n>" (microseconds).
local M = {}
function M.done(summary, latency, requests)
  io.write(string.format("latency_us p50 %d p90 %d p99 %d p99.9 %d max %d\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
return M
