-- Service `getconfig` behind /_haproxy_getconfig: the configuration file that this HAProxy
-- generation loaded. The file is read once, when HAProxy loads this script, so a request
-- answers with what the running processes actually use, not with a newer file on disk
-- that may not have been applied yet.

-- The path after `-f` on HAProxy's own command line (NUL-separated in /proc/self/cmdline).
-- Workers are forks of the master, and the master re-executes itself with the same `-f`
-- on reload, so this names the loaded file in every process of the generation.
local function config_path_from_cmdline()
  local f = io.open("/proc/self/cmdline", "rb")
  if not f then return nil end
  local raw = f:read("a") or ""
  f:close()
  local args = {}
  for arg in raw:gmatch("([^%z]*)%z") do args[#args + 1] = arg end
  for i, arg in ipairs(args) do
    if arg == "-f" and args[i + 1] then return args[i + 1] end
    -- HAProxy also accepts the value glued to the flag (-f/path/haproxy.cfg).
    if arg:sub(1, 2) == "-f" and #arg > 2 then return arg:sub(3) end
  end
  return nil
end

local function read_whole_file(path)
  if not path then return nil end
  local f = io.open(path, "rb")
  if not f then return nil end
  local text = f:read("a")
  f:close()
  return text
end

local loaded_path = config_path_from_cmdline()
local loaded_config = read_whole_file(loaded_path)

core.register_service("getconfig", "http", function(applet)
  local status, body = 200, loaded_config
  if body == nil then
    status = 500
    body = "could not read the configuration file named by -f (" .. tostring(loaded_path) .. ")\n"
  end
  applet:set_status(status)
  applet:add_header("content-type", "text/plain")
  applet:add_header("content-length", tostring(#body))
  applet:start_response()
  applet:send(body)
end)
