-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- wrk script for bench/run-load.py. Usage:
--   wrk -t1 -c32 -d10s -s bench/load.lua http://127.0.0.1:PORT -- MODE [FILE]
-- MODE is one of
--   info      GET /api/v1/info
--   activate  POST /api/v1/totp/activate; FILE holds one "session code" per line
--   signin    POST /api/v1/sessions; FILE holds one "login password" per line
-- Requests go round the lines of FILE in order, the threads interleaved, so
-- that every account gets its n-th request before any gets its (n+1)-th.
-- At the end one line "RESULT requests seconds p50_us p99_us errors
-- statuses" is printed for the driver, statuses as "code:count,...".

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

-- Globals of each thread's state: done() reads statuses with thread:get.
mode, entries, n, i, step, statuses = nil, nil, 0, 0, 1, {}

function init(args)
  mode = args[1] or "info"
  statuses = {}
  entries = {}
  if args[2] then
    for line in io.lines(args[2]) do
      local a, b = line:match("^(%S+) (%S+)$")
      if a then
        table.insert(entries, { a, b })
      end
    end
  end
  n = #entries
  i = id
  step = next_id > 0 and next_id or 1
end

function request()
  if mode == "info" then
    return wrk.format("GET", "/api/v1/info")
  end
  local e = entries[(i % n) + 1]
  i = i + step
  if mode == "activate" then
    return wrk.format("POST", "/api/v1/totp/activate",
                      { ["Authorization"] = "Bearer " .. e[1],
                        ["Content-Type"] = "application/json" },
                      '{"code":"' .. e[2] .. '"}')
  end
  return wrk.format("POST", "/api/v1/sessions",
                    { ["Content-Type"] = "application/json" },
                    '{"login":"' .. e[1] .. '","password":"' .. e[2] .. '"}')
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for code, count in pairs(s or {}) do
      total[code] = (total[code] or 0) + count
    end
  end
  local parts = {}
  for code, count in pairs(total) do
    table.insert(parts, code .. ":" .. count)
  end
  table.sort(parts)
  local e = summary.errors
  io.write(string.format("RESULT %d %.3f %d %d %d %s\n", summary.requests,
                         summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
                         e.connect + e.read + e.write + e.timeout,
                         #parts > 0 and table.concat(parts, ",") or "-"))
end
