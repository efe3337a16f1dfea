-- Services `getvhostmap` and `getappmap` behind /_haproxy_getvhostmap and
-- /_haproxy_getappmap: the current map files next to the loaded configuration. Unlike
-- getconfig these are read on every request, because the controller may change map
-- entries through the runtime API and rewrite the files without a reload.

local function config_dir_from_cmdline()
  local f = io.open("/proc/self/cmdline", "rb")
  if not f then return nil end
  local raw = f:read("a") or ""
  f:close()
  local args = {}
  for arg in raw:gmatch("([^%z]*)%z") do args[#args + 1] = arg end
  local path = nil
  for i, arg in ipairs(args) do
    if arg == "-f" and args[i + 1] then path = args[i + 1]; break end
    if arg:sub(1, 2) == "-f" and #arg > 2 then path = arg:sub(3); break end
  end
  if not path then return nil end
  -- Directory part; a bare file name lives in the working directory.
  local dir = path:match("^(.*)/[^/]*$")
  if dir == nil then return "." end
  if dir == "" then return "/" end
  return dir
end

-- Computed once: the -f path cannot change for the life of a process.
local config_dir = config_dir_from_cmdline()

local function map_service(file_name)
  return function(applet)
    local body = ""
    if config_dir then
      local f = io.open(config_dir .. "/" .. file_name, "rb")
      if f then
        body = f:read("a") or ""
        f:close()
      end
    end
    -- A missing map (map mode off) is an empty answer, as marathon-lb gives.
    applet:set_status(200)
    applet:add_header("content-type", "text/plain")
    applet:add_header("content-length", tostring(#body))
    applet:start_response()
    applet:send(body)
  end
end

core.register_service("getvhostmap", "http", map_service("domain2backend.map"))
core.register_service("getappmap", "http", map_service("app2backend.map"))
