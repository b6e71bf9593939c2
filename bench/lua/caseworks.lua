-- Request mixes for the caseworks benchmark. Arguments (after `--`):
--   mode token mentors assignments contacts pool_base pool_span children workers applications
-- Each thread counts responses by status class; done() prints them as one JSON line.

local counts = {}
local threads = {}
local mode, token
local mentors, assignments, contacts, pool_base, pool_span, children, workers, applications
local n = 0

local function rand(limit) return math.random(0, limit - 1) end

-- wrk.format takes headers instead of wrk.headers, not beside them.
local function with_body(method, path, content_type, body)
  return wrk.format(method, path, {["Authorization"] = "Bearer " .. token, ["Content-Type"] = content_type}, body)
end

local builders = {}

builders["get"] = function()
  return wrk.format("GET", string.format("/api/v1/assignments/assign_b%08d", rand(assignments)))
end

builders["list"] = function()
  return wrk.format("GET", "/api/v1/assignments?page=1&limit=20")
end

builders["list_mentor"] = function()
  return wrk.format("GET", string.format("/api/v1/assignments?mentor_id=mentor_b%07d", rand(mentors)))
end

for _, view in ipairs({"active", "history", "open-count"}) do
  builders[view] = function()
    return wrk.format("GET", string.format("/api/v1/assignments/mentor/mentor_b%07d/%s", rand(mentors), view))
  end
end

-- New pairs from the write pool: a fresh contact every request, so every create is a 201.
builders["post_assignment"] = function()
  n = n + 1
  local contact = pool_base + (n % pool_span)
  local body = string.format('{"mentor_id":"mentor_b%07d","contact_id":"contact_b%07d"}', rand(mentors), contact)
  return with_body("POST", "/api/v1/assignments", "application/json", body)
end

-- Open assignments are those with index % 7 == 0: close them, then reopen them, in turn.
builders["patch_status"] = function()
  local k = pool_base + (n % pool_span)
  local status = (math.floor(n / pool_span) % 2 == 0) and "closed" or "open"
  n = n + 1
  local path = string.format("/api/v1/assignments/assign_b%08d/status", 7 * k)
  return with_body("PATCH", path, "application/json", '{"status":"' .. status .. '"}')
end

-- Moves of open assignments: first those of the pool (index % 7 == 0, whose mentor and contact
-- follow from the index as bench/generate.py makes them), then each successor a move opened,
-- read from its answer. Every move goes two mentors on: the pool gives a contact at most two
-- open assignments, with neighbouring mentors, so an even step never lands on the other one.
local movable, first, last = {}, 1, 0

local function movable_push(id, mentor)
  last = last + 1
  movable[last] = {id, mentor}
end

local function movable_fill()
  for k = pool_base, pool_base + pool_span - 1 do
    local c = k % contacts
    movable_push(string.format("assign_b%08d", 7 * k), (math.floor(k / contacts) + c) % mentors)
  end
end

builders["reassign"] = function()
  if last == 0 then movable_fill() end
  local item = movable[first]
  movable[first] = nil
  first = first + 1
  local body = string.format('{"mentor_id":"mentor_b%07d","reason":"mentor moved away"}', (item[2] + 2) % mentors)
  return with_body("POST", "/api/v1/assignments/" .. item[1] .. "/reassign", "application/json", body)
end

builders["wa_show"] = function()
  return wrk.format("GET", string.format("/api/v1/worker_assignments/wa_b%08d", rand(children * 2)))
end

builders["child_list"] = function()
  return wrk.format("GET", string.format("/api/v1/children/child_b%07d/relationships/worker_assignments", rand(children)))
end

-- The index of worker assignments, a page of 20 with every association included (the default).
builders["wa_list"] = function()
  return wrk.format("GET", string.format("/api/v1/worker_assignments?page%%5Bnumber%%5D=%d", rand(50) + 1))
end

-- A child looked up by its client id, as an integration finds the record it knows.
builders["child_by_client_id"] = function()
  return wrk.format("GET", string.format("/api/v1/children?client_id=C%07d", rand(children)))
end

-- A fresh child from the write pool and a worker: 201 every time.
builders["post_wa_new"] = function()
  n = n + 1
  local child = pool_base + (n % pool_span)
  return with_body("POST", string.format("/api/v1/children/child_b%07d/relationships/worker_assignments", child),
    "application/vnd.api+json",
    string.format('{"data":{"type":"worker-assignments","attributes":{"role":"case-carrying"},"relationships":{"worker":{"data":{"type":"agency-workers","id":"worker_b%07d"}}}}}', rand(workers)))
end

-- The worker already holds the role on that child: 200, nothing written.
builders["post_wa_noop"] = function()
  local c = rand(children)
  local w = (c * 7) % workers
  return with_body("POST", string.format("/api/v1/children/child_b%07d/relationships/worker_assignments", c),
    "application/vnd.api+json",
    string.format('{"data":{"type":"worker-assignments","attributes":{"role":"case-carrying"},"relationships":{"worker":{"data":{"type":"agency-workers","id":"worker_b%07d"}}}}}', w))
end

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  mode, token = args[1], args[2]
  mentors, assignments, contacts = tonumber(args[3]), tonumber(args[4]), tonumber(args[5])
  pool_base, pool_span = tonumber(args[6]), tonumber(args[7])
  children, workers, applications = tonumber(args[8]), tonumber(args[9]), tonumber(args[10])
  wrk.headers["Authorization"] = "Bearer " .. token
  math.randomseed(os.time() + pool_base)
  c2xx, c200, c201, c4xx, c5xx = 0, 0, 0, 0, 0
end

function request()
  return builders[mode]()
end

function response(status, headers, body)
  if mode == "reassign" and status == 201 then
    local id, mentor = body:match('"opened":{"assignment_id":"([^"]+)","mentor_id":"mentor_b(%d+)"')
    if id then movable_push(id, tonumber(mentor)) end
  end
  if status == 200 then c200 = c200 + 1 elseif status == 201 then c201 = c201 + 1 end
  if status >= 200 and status < 300 then c2xx = c2xx + 1
  elseif status < 500 then c4xx = c4xx + 1 else c5xx = c5xx + 1 end
end

function done(summary, latency, requests)
  local t = {c2xx = 0, c200 = 0, c201 = 0, c4xx = 0, c5xx = 0}
  for _, thread in ipairs(threads) do
    for key, _ in pairs(t) do t[key] = t[key] + (thread:get(key) or 0) end
  end
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "p50_ms": %.3f, "p99_ms": %.3f, "socket_errors": %d, ' ..
    '"c2xx": %d, "c200": %d, "c201": %d, "c4xx": %d, "c5xx": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    t.c2xx, t.c200, t.c201, t.c4xx, t.c5xx))
end
