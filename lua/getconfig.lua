-- Service `getconfig` behind /_haproxy_getconfig: the configuration file that this HAProxy
-- generation loaded. The file is read once, when HAProxy loads this script, so a request
-- answers with what the running processes actually use, not with a newer file on disk
-- that may not have been applied yet.

-- mlb_util.lua sits next to this script (also behind the image's /marathon-lb/*.lua links).
local here = debug.getinfo(1, "S").source:match("^@(.*/)[^/]*$") or "./"
package.path = here .. "?.lua;" .. package.path
local util = require("mlb_util")

local loaded_path = util.config_path("self")
local loaded_config = util.read_file(loaded_path)

core.register_service("getconfig", "http", function(applet)
  local status, body = 200, loaded_config
  if body == nil then
    status = 500
    body = "could not read the configuration file named by -f (" .. tostring(loaded_path) .. ")\n"
  end
  util.reply(applet, status, body)
end)
