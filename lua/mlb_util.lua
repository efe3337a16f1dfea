-- Shared by the services behind the :9090 admin endpoints. Loaded with `require` from the
-- directory of the script that needs it (see the header of each service).
local M = {}

function M.read_file(path)
  if not path then return nil end
  local f = io.open(path, "rb")
  if not f then return nil end
  local text = f:read("a")
  f:close()
  return text
end

-- The command line of process `pid` ("self" for this one) as a list of words.
function M.cmdline(pid)
  local raw = M.read_file("/proc/" .. pid .. "/cmdline")
  if not raw then return nil end
  local args = {}
  for arg in raw:gmatch("([^%z]*)%z") do args[#args + 1] = arg end
  return args
end

-- The path after `-f` on the command line of process `pid` ("self" for this one). Workers are
-- forks of the master, and the master re-executes itself with the same `-f` on reload, so
-- this names the loaded file in every process of the generation.
function M.config_path(pid)
  local args = M.cmdline(pid)
  if not args then return nil end
  for i, arg in ipairs(args) do
    if arg == "-f" and args[i + 1] then return args[i + 1] end
    -- HAProxy also accepts the value glued to the flag (-f/path/haproxy.cfg).
    if arg:sub(1, 2) == "-f" and #arg > 2 then return arg:sub(3) end
  end
  return nil
end

-- Directory part of a path; a bare file name lives in the working directory.
function M.dir_of(path)
  if not path then return nil end
  local dir = path:match("^(.*)/[^/]*$")
  if dir == nil then return "." end
  if dir == "" then return "/" end
  return dir
end

-- A plain-text answer with its length (and any extra headers, e.g. Retry-After).
function M.reply(applet, status, body, extra_headers)
  applet:set_status(status)
  applet:add_header("content-type", "text/plain")
  applet:add_header("content-length", tostring(#body))
  for name, value in pairs(extra_headers or {}) do applet:add_header(name, value) end
  applet:start_response()
  applet:send(body)
end

return M
