-- For plain GET runs: nothing but the latency distribution at the end (jeton-bench/wrk/dist.lua).
done = dofile(os.getenv("WRK_DIR") .. "/dist.lua").done
