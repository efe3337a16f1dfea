-- Services `signalmlbhup` and `signalmlbusr1`, kept for HAPROXY_HEAD templates written for
-- marathon-lb (`http-request use-service lua.signalmlbhup ...`). The default HEAD no longer loads
-- this file: it routes /_mlb_signal/* to the controller (backend mlb_controller).
--
-- marathon-lb's version forked `pkill` from inside a threaded HAProxy worker, which could break
-- unrelated requests. This one spawns nothing and never blocks the worker: it passes the request
-- to the controller's status server over a non-blocking Lua socket and relays the answer, so the
-- controller does the work (and keeps the rate limit: one per second per signal, 429 beyond).
--
-- The controller listens on 127.0.0.1:9092 unless started with another --status-port; such a
-- HEAD then needs `setenv MLB_STATUS_PORT <port>` in its global section.

local here = debug.getinfo(1, "S").source:match("^@(.*/)[^/]*$") or "./"
package.path = here .. "?.lua;" .. package.path
local util = require("mlb_util")

local TIMEOUT_SECONDS = 5

local function status_port()
  local port = tonumber(os.getenv("MLB_STATUS_PORT") or "")
  if port == nil or port < 1 or port > 65535 then return 9092 end
  return math.floor(port)
end

-- One HTTP/1.0 exchange (the controller closes the connection after answering).
local function ask_controller(path)
  local port = status_port()
  local s = core.tcp()
  s:settimeout(TIMEOUT_SECONDS)
  local ok, err = s:connect("127.0.0.1", port)
  if not ok then
    return nil, "marathon-lb's controller does not answer on 127.0.0.1:" .. port ..
      " (" .. tostring(err) .. "): it is not running, or runs with another --status-port" ..
      " (set MLB_STATUS_PORT) or without its status server"
  end
  s:send("POST " .. path .. " HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n")
  local text, rerr = s:receive("*a")
  s:close()
  if text == nil or text == "" then return nil, "no answer from the controller: " .. tostring(rerr) end
  return text
end

-- Status, the Retry-After header if any, and the body of a raw HTTP answer.
local function parse(text)
  local head, body = text:match("^(.-)\r\n\r\n(.*)$")
  if head == nil then return nil end
  local status = tonumber(head:match("^HTTP/%d%.%d (%d%d%d)"))
  if status == nil then return nil end
  local retry = head:match("\r\n[Rr][Ee][Tt][Rr][Yy]%-[Aa][Ff][Tt][Ee][Rr]:%s*(%d+)")
  return status, retry, body
end

local function relay(path)
  return function(applet)
    local text, err = ask_controller(path)
    if text == nil then
      util.reply(applet, 503, err .. "\n")
      return
    end
    local status, retry, body = parse(text)
    if status == nil then
      util.reply(applet, 502, "the controller's answer was not HTTP\n")
      return
    end
    util.reply(applet, status, body, retry and { ["retry-after"] = retry } or nil)
  end
end

core.register_service("signalmlbhup", "http", relay("/_mlb_signal/hup"))
core.register_service("signalmlbusr1", "http", relay("/_mlb_signal/usr1"))
