// One emulated Marathon task as its own process (taskServers: 'process').
// argv[2] = JSON {taskId, alive, listeners: [{ip, port, healthPaths}]}; what it answers: task-http.mjs.
// stdout: one JSON line, {"ready":true} or {"error":"..."}. stdin: JSON lines
// {"alive":bool}; when stdin closes (the emulator died or closed) the task exits.
// Plain JavaScript on purpose: it runs with bare `node`, with no build step.
import readline from 'node:readline';
import { listenTask } from './task-http.mjs';

const config = JSON.parse(process.argv[2] ?? '{}');
let alive = config.alive !== false;

try {
  for (const l of config.listeners) await listenTask(config.taskId, l, () => alive);
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
