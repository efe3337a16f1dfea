-- Service `getpids` behind /_haproxy_getpids: the PIDs of the running HAProxy processes of
-- this instance, space separated (marathon-lb answered with `pidof haproxy`). Tools such as
-- zdd poll it to see when the processes of an old generation have finished.
--
-- Instead of `pidof` (procps may not be installed) the PID directories of /proc are listed
-- with shell builtins only, and a process counts when its name is `haproxy` and it was
-- started with the same `-f` configuration as this one. That keeps another HAProxy in the
-- same PID namespace (a test, a sidecar) out of the answer.

-- mlb_util.lua sits next to this script (also behind the image's /marathon-lb/*.lua links).
local here = debug.getinfo(1, "S").source:match("^@(.*/)[^/]*$") or "./"
package.path = here .. "?.lua;" .. package.path
local util = require("mlb_util")

local own_config = util.config_path("self")

-- Every `for`, `read`, `[` and `echo` here is a builtin of a POSIX shell: no external
-- program is needed. Errors (a process exiting mid-scan) are silenced.
local LIST_HAPROXY_PIDS = [[
{ for d in /proc/[0-9]*; do
    IFS= read -r name < "$d/comm" && [ "$name" = haproxy ] && echo "${d#/proc/}"
  done; } 2>/dev/null
]]

local function haproxy_pids()
  local pipe = io.popen(LIST_HAPROXY_PIDS, "r")
  if not pipe then return nil end
  local out = pipe:read("a") or ""
  pipe:close()
  local pids = {}
  for pid in out:gmatch("%d+") do
    if own_config == nil or util.config_path(pid) == own_config then
      pids[#pids + 1] = tonumber(pid)
    end
  end
  table.sort(pids)
  return pids
end

core.register_service("getpids", "http", function(applet)
  local pids = haproxy_pids()
  local status, body = 200, nil
  if pids == nil then
    status, body = 500, "could not list processes\n"
  else
    local parts = {}
    for i, pid in ipairs(pids) do parts[i] = tostring(pid) end
    body = table.concat(parts, " ")
  end
  util.reply(applet, status, body)
end)
