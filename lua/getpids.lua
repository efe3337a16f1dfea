-- Service `getpids` behind /_haproxy_getpids: the PIDs of the running HAProxy processes of
-- this instance, space separated (marathon-lb answered with `pidof haproxy`). Tools such as
-- zdd poll it to see when the processes of an old generation have finished.
--
-- Instead of `pidof` (procps may not be installed) the PID directories of /proc are listed
-- with shell builtins only, and a process counts when its name is `haproxy` and it was
-- started with the same `-f` configuration as this one. That keeps another HAProxy in the
-- same PID namespace (a test, a sidecar) out of the answer.

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local text = f:read("a")
  f:close()
  return text
end

local function config_path_of(pid)
  local raw = read_file("/proc/" .. pid .. "/cmdline")
  if not raw then return nil end
  local args = {}
  for arg in raw:gmatch("([^%z]*)%z") do args[#args + 1] = arg end
  for i, arg in ipairs(args) do
    if arg == "-f" and args[i + 1] then return args[i + 1] end
    if arg:sub(1, 2) == "-f" and #arg > 2 then return arg:sub(3) end
  end
  return nil
end

local own_config = config_path_of("self")

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
    if own_config == nil or config_path_of(pid) == own_config then
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
  applet:set_status(status)
  applet:add_header("content-type", "text/plain")
  applet:add_header("content-length", tostring(#body))
  applet:start_response()
  applet:send(body)
end)
