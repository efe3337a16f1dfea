-- Service `mlbdrain` behind /_mlb_drain?backend=<name>: what zdd needs to know before it kills
-- a task, namely whether HAProxy still sends it traffic or holds sessions to it.
--
-- One line per server of the backend: `<server> <status> <sessions> <queued>`, after a
-- `# backend <name> workers <n>` line. Sessions and queue are summed over every worker of this
-- instance, the current one and old ones still finishing connections after a reload, so a task
-- is never reported drained while an old worker serves it. Status is the current worker's
-- (MAINT, DRAIN, UP, DOWN, ...). Only the named backend is read: long-lived connections
-- elsewhere never make a task look busy.
--
-- Nothing is spawned and nothing blocks: the numbers come from HAProxy's own CLI over its unix
-- sockets with Lua's non-blocking sockets. The master socket (`-S` on the command line) reaches
-- every worker; without it, the admin `stats socket` of the loaded config reaches this one.
-- (HAProxy 2.6's Lua server list does not include servers added at run time, so the CLI it is.)

local here = debug.getinfo(1, "S").source:match("^@(.*/)[^/]*$") or "./"
package.path = here .. "?.lua;" .. package.path
local util = require("mlb_util")

local TIMEOUT_SECONDS = 3

-- A unix socket path from `-S` or `stats socket` (options after a comma, `unix@` prefix).
local function unix_path(value)
  value = value:match("^([^,]+)") or value
  if value:sub(1, 5) == "unix@" then value = value:sub(6) end
  if value:sub(1, 1) == "/" then return value end
  return nil
end

-- Both read once: the command line and the loaded config do not change for a process.
local function master_socket()
  local args = util.cmdline("self") or {}
  for i, arg in ipairs(args) do
    local value = nil
    if arg == "-S" then value = args[i + 1] elseif arg:sub(1, 2) == "-S" then value = arg:sub(3) end
    if value and unix_path(value) then return unix_path(value) end
  end
  return nil
end

local function admin_socket()
  local config = util.read_file(util.config_path("self")) or ""
  for line in config:gmatch("[^\n]+") do
    local path, rest = line:match("^%s*stats%s+socket%s+(%S+)(.*)$")
    if path and rest:match("level%s+admin") and unix_path(path) then return unix_path(path) end
  end
  return nil
end

local MASTER = master_socket()
local ADMIN = admin_socket()

-- One CLI exchange: the command, then `quit`, and everything until HAProxy closes.
local function cli(path, command)
  local s = core.tcp()
  s:settimeout(TIMEOUT_SECONDS)
  local ok, err = s:connect("unix@" .. path)
  if not ok then return nil, "cannot connect to " .. path .. ": " .. tostring(err) end
  s:send(command .. "; quit\n")
  local out, rerr = s:receive("*a")
  s:close()
  if out == nil then return nil, "no answer from " .. path .. ": " .. tostring(rerr) end
  return out
end

-- `show proc` on the master: pids of the current worker and of old ones.
local function worker_pids(text)
  local pids, section = {}, nil
  for line in text:gmatch("[^\n]+") do
    if line:match("^#") then
      section = line
    elseif section and section:match("workers") then
      local pid, kind = line:match("^(%d+)%s+(%S+)")
      if pid and kind == "worker" then pids[#pids + 1] = pid end
    end
  end
  return pids
end

-- `show stat -1 4 -1` CSV (every server): field 1 proxy, 2 server, 3 qcur, 5 scur, 18 status.
-- Asking for the backend by name is not used: HAProxy resolves the name to the frontend of the
-- same name when there is one (the controller names both `<app>_<port>`), which has no servers.
local function add_stats(servers, order, csv, backend, current)
  local prefix = backend .. ","
  for line in csv:gmatch("[^\n]+") do
    if line:sub(1, #prefix) == prefix then
      local f = {}
      for field in (line .. ","):gmatch("([^,]*),") do f[#f + 1] = field end
      local name = f[2]
      if name and name ~= "" and f[18] then
        local s = servers[name]
        if s == nil then
          s = { status = "GONE", scur = 0, qcur = 0 }
          servers[name] = s
          order[#order + 1] = name
        end
        s.scur = s.scur + (tonumber(f[5]) or 0)
        s.qcur = s.qcur + (tonumber(f[3]) or 0)
        if current then s.status = f[18]:gsub("%s", "_") end
      end
    end
  end
end

local function drain_report(backend)
  local servers, order, workers = {}, {}, 0
  if MASTER then
    local procs, err = cli(MASTER, "show proc")
    if procs == nil then return nil, err end
    local pids = worker_pids(procs)
    -- `show proc` lists the current worker first.
    for i, pid in ipairs(pids) do
      local csv, serr = cli(MASTER, "@!" .. pid .. " show stat -1 4 -1")
      if csv == nil then return nil, serr end
      add_stats(servers, order, csv, backend, i == 1)
      workers = workers + 1
    end
  elseif ADMIN then
    local csv, err = cli(ADMIN, "show stat -1 4 -1")
    if csv == nil then return nil, err end
    add_stats(servers, order, csv, backend, true)
    workers = 1
  else
    return nil, "no master socket (-S) and no admin stats socket in the configuration"
  end
  table.sort(order)
  local lines = { "# backend " .. backend .. " workers " .. workers }
  for _, name in ipairs(order) do
    local s = servers[name]
    lines[#lines + 1] = name .. " " .. s.status .. " " .. s.scur .. " " .. s.qcur
  end
  return table.concat(lines, "\n") .. "\n"
end

core.register_service("mlbdrain", "http", function(applet)
  local backend = (applet.qs or ""):match("backend=([%w_.:%-]+)")
  if backend == nil then
    util.reply(applet, 400, "usage: /_mlb_drain?backend=<backend name>\n")
    return
  end
  local body, err = drain_report(backend)
  if body == nil then
    util.reply(applet, 503, tostring(err) .. "\n")
    return
  end
  util.reply(applet, 200, body)
end)
