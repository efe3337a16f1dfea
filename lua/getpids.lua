-- Service `getpids` behind /_haproxy_getpids: the PIDs of this HAProxy instance, space
-- separated and sorted (marathon-lb answered with `pidof haproxy`).
--
-- No process is spawned and nothing waits: marathon-lb's `io.popen("pidof haproxy")` forked
-- from inside a threaded worker, and polling it broke unrelated requests. The answer comes from
-- the kernel's own bookkeeping of this process family, read from /proc (memory, not disk):
-- in master-worker mode the master (our parent, same -f) and every worker it forked (its
-- children: the current worker and old ones still finishing their connections); otherwise
-- this process alone.

-- mlb_util.lua sits next to this script (also behind the image's /marathon-lb/*.lua links).
local here = debug.getinfo(1, "S").source:match("^@(.*/)[^/]*$") or "./"
package.path = here .. "?.lua;" .. package.path
local util = require("mlb_util")

local own_config = util.config_path("self")

-- Field 1 of /proc/<pid>/stat is the pid, field 4 the parent's (the name in field 2 is in
-- parentheses and may hold spaces, so fields are counted after its closing one).
local function stat_of(pid)
  local text = util.read_file("/proc/" .. pid .. "/stat")
  if not text then return nil end
  local own, rest = text:match("^(%d+) %(.*%) (.*)$")
  if not own then return nil end
  local ppid = rest:match("^%S+ (%d+)")
  return tonumber(own), tonumber(ppid)
end

local function is_our_haproxy(pid)
  local name = util.read_file("/proc/" .. pid .. "/comm")
  return name ~= nil and name:match("^haproxy") ~= nil and util.config_path(pid) == own_config
end

local function haproxy_pids()
  local self_pid, parent = stat_of("self")
  if self_pid == nil then return nil end
  if parent == nil or parent < 2 or not is_our_haproxy(parent) then return { self_pid } end
  local pids = { parent }
  -- The master is single-threaded, so its main thread's children are all of its children.
  local children = util.read_file("/proc/" .. parent .. "/task/" .. parent .. "/children") or ""
  for pid in children:gmatch("%d+") do
    if is_our_haproxy(pid) then pids[#pids + 1] = tonumber(pid) end
  end
  table.sort(pids)
  return pids
end

core.register_service("getpids", "http", function(applet)
  local pids = haproxy_pids()
  local status, body = 200, nil
  if pids == nil then
    status, body = 500, "could not read /proc/self/stat\n"
  else
    local parts = {}
    for i, pid in ipairs(pids) do parts[i] = tostring(pid) end
    body = table.concat(parts, " ")
  end
  util.reply(applet, status, body)
end)
