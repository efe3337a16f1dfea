// One emulated Marathon task as its own process (taskServers: 'process').
// argv[2] = JSON {taskId, alive, listeners: [{ip, port, healthPaths}]}.
// Every request gets 200 (after `?delay=<ms>` if given), body "<task id>\n", header X-Task-Id; a health path answers 503 while
// unhealthy. stdout: one JSON line, {"ready":true} or {"error":"..."}. stdin: JSON lines
// {"alive":bool}; when stdin closes (the emulator died or closed) the task exits.
// Plain JavaScript on purpose: it runs with bare `node`, with no build step.
import http from 'node:http';
import readline from 'node:readline';

const config = JSON.parse(process.argv[2] ?? '{}');
let alive = config.alive !== false;
const servers = [];

function handler(healthPaths) {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const status = healthPaths.includes(path) && !alive ? 503 : 200;
    req.resume();
    // `?delay=<ms>`: a slow request, held open that long (at most a minute).
    const m = /[?&]delay=(\d+)/.exec(req.url ?? '');
    const timer = setTimeout(() => {
      res.writeHead(status, { 'Content-Type': 'text/plain', 'X-Task-Id': config.taskId });
      res.end(`${config.taskId}\n`);
    }, m ? Math.min(60000, Number(m[1])) : 0);
    res.on('close', () => clearTimeout(timer));
  };
}

function listen(l) {
  return new Promise((resolve, reject) => {
    const srv = http.createServer(handler(l.healthPaths));
    srv.keepAliveTimeout = 1000;
    srv.once('error', reject);
    srv.listen({ host: l.ip, port: l.port, exclusive: true }, () => resolve(srv));
  });
}

try {
  for (const l of config.listeners) servers.push(await listen(l));
  process.stdout.write(JSON.stringify({ ready: true }) + '\n');
} catch (err) {
  process.stdout.write(JSON.stringify({ error: String(err && err.message ? err.message : err) }) + '\n');
  process.exit(1);
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  try {
    const msg = JSON.parse(line);
    if (typeof msg.alive === 'boolean') alive = msg.alive;
  } catch {
    // ignore garbage
  }
});
rl.on('close', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
