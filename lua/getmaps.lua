-- Services `getvhostmap` and `getappmap` behind /_haproxy_getvhostmap and
-- /_haproxy_getappmap: the current map files next to the loaded configuration. Unlike
-- getconfig these are read on every request, because the controller may change map
-- entries through the runtime API and rewrite the files without a reload.

-- mlb_util.lua sits next to this script (also behind the image's /marathon-lb/*.lua links).
local here = debug.getinfo(1, "S").source:match("^@(.*/)[^/]*$") or "./"
package.path = here .. "?.lua;" .. package.path
local util = require("mlb_util")

-- Computed once: the -f path cannot change for the life of a process.
local config_dir = util.dir_of(util.config_path("self"))

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
    util.reply(applet, 200, body)
  end
end

core.register_service("getvhostmap", "http", map_service("domain2backend.map"))
core.register_service("getappmap", "http", map_service("app2backend.map"))
