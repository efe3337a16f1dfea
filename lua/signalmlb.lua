-- Services `signalmlbhup` and `signalmlbusr1` behind /_mlb_signal/hup and /_mlb_signal/usr1:
-- ask the controller for a full resync (SIGHUP) or a reload of the current file (SIGUSR1).
--
-- marathon-lb ran `pkill -f '^python.*marathon_lb.py'`, which could hit any matching
-- process. Here the one target is the PID the controller wrote to its pid file, whose path
-- comes from `setenv MLB_PID_FILE <path>` in the global section.
--
-- The endpoint has no authentication (as in marathon-lb), so each signal is rate limited:
-- at most one per MIN_INTERVAL seconds per HAProxy process (the Lua state is shared by the
-- threads of a process). Excess requests get 429 with Retry-After, so a flood of requests
-- cannot turn into a storm of resyncs and reloads.

local MIN_INTERVAL = 1.0
-- The controller's default (--pid-file = <run-dir>/marathon-lb.pid), for HEADs without setenv.
local DEFAULT_PID_FILE = "/var/run/haproxy/marathon-lb.pid"

local last_sent = {}

local function now_seconds()
  local t = core.now()
  return t.sec + t.usec / 1e6
end

-- mlb_util.lua sits next to this script (also behind the image's /marathon-lb/*.lua links).
local here = debug.getinfo(1, "S").source:match("^@(.*/)[^/]*$") or "./"
package.path = here .. "?.lua;" .. package.path
local util = require("mlb_util")
local reply = util.reply

local function pid_file_path()
  local path = os.getenv("MLB_PID_FILE")
  if path == nil or path == "" then return DEFAULT_PID_FILE end
  return path
end

-- Returns the pid as a string of digits, or nil and a problem for the operator.
local function controller_pid()
  local path = pid_file_path()
  local f = io.open(path, "r")
  if not f then
    return nil, "no marathon-lb pid file at " .. path ..
      " (is the controller running in sse or event mode? poll mode does not take signals)"
  end
  local text = f:read("a") or ""
  f:close()
  local pid = text:match("^%s*(%d+)%s*$")
  -- 0 and 1 are never the controller; signalling them would hit a process group or init.
  if pid == nil or tonumber(pid) < 2 then
    return nil, "pid file " .. path .. " does not hold a process id"
  end
  local stat = io.open("/proc/" .. pid .. "/stat", "r")
  if not stat then
    return nil, "marathon-lb process " .. pid .. " (from " .. path .. ") is not running"
  end
  stat:close()
  return pid
end

-- `kill` is a shell builtin. Its status is echoed rather than taken from the exit code,
-- because HAProxy's own SIGCHLD handling can make the wait status unreliable.
local function send_signal(signal_name, pid)
  local pipe = io.popen("kill -s " .. signal_name .. " " .. pid .. " 2>&1; echo \"status=$?\"", "r")
  if not pipe then return false, "could not start a shell to send the signal" end
  local out = pipe:read("a") or ""
  pipe:close()
  local status = out:match("status=(%d+)")
  if status == "0" then return true end
  local message = out:gsub("status=%d+%s*$", ""):gsub("%s+$", "")
  return false, message
end

local function signal_service(signal_name)
  return function(applet)
    local now = now_seconds()
    local last = last_sent[signal_name]
    -- A clock that went backwards must not block signals until it catches up.
    if last ~= nil and now >= last and now - last < MIN_INTERVAL then
      local wait = math.ceil(MIN_INTERVAL - (now - last))
      reply(applet, 429, "Too many " .. signal_name .. " requests; retry in " .. wait .. "s",
        { ["retry-after"] = tostring(wait) })
      return
    end
    local pid, problem = controller_pid()
    if pid == nil then
      reply(applet, 503, "Could not send SIG" .. signal_name .. " to marathon-lb: " .. problem)
      return
    end
    local ok, err = send_signal(signal_name, pid)
    if not ok then
      reply(applet, 500, "Could not send SIG" .. signal_name .. " to marathon-lb (pid " ..
        pid .. "): " .. tostring(err))
      return
    end
    last_sent[signal_name] = now
    reply(applet, 200, "Sent SIG" .. signal_name .. " signal to marathon-lb")
  end
end

core.register_service("signalmlbhup", "http", signal_service("HUP"))
core.register_service("signalmlbusr1", "http", signal_service("USR1"))
