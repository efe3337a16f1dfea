// Many emulated Marathon tasks in one process of their own (taskServers: 'agent'), as a Mesos
// agent runs many tasks: the emulator's own work (its API, its events, a test's bookkeeping)
// then never delays a task's answers, and ten thousand tasks do not cost ten thousand processes.
// What a task answers: task-http.mjs.
//
// Driven over the IPC channel of child_process.fork; each request carries a sequence number
// and gets one reply {seq, error?}:
//   {seq, op: 'start', taskId, alive, listeners: [{ip, port, healthPaths}]}  (replies when listening)
//   {seq, op: 'stop', taskId}                                                (replies when closed)
//   {op: 'health', taskId, alive}                                            (no reply)
// The agent exits when the channel closes (the emulator closed or died).
// Plain JavaScript on purpose: it runs with bare `node`, with no build step.
import { closeTask, listenTask } from './task-http.mjs';

/** taskId -> { servers, alive } */
const tasks = new Map();

async function start(msg) {
  const task = { servers: [], alive: msg.alive !== false };
  tasks.set(msg.taskId, task);
  try {
    for (const l of msg.listeners) task.servers.push(await listenTask(msg.taskId, l, () => task.alive));
  } catch (err) {
    if (tasks.get(msg.taskId) === task) tasks.delete(msg.taskId);
    await closeTask(task.servers);
    throw err;
  }
}

async function stop(taskId) {
  const task = tasks.get(taskId);
  if (!task) return;
  tasks.delete(taskId);
  await closeTask(task.servers);
}

process.on('message', (msg) => {
  if (msg.op === 'health') {
    const task = tasks.get(msg.taskId);
    if (task) task.alive = msg.alive;
    return;
  }
  const work = msg.op === 'start' ? start(msg) : msg.op === 'stop' ? stop(msg.taskId) : Promise.reject(new Error(`unknown op ${msg.op}`));
  work.then(
    () => process.send({ seq: msg.seq }),
    (err) => process.send({ seq: msg.seq, error: String(err && err.message ? err.message : err) }),
  );
});
process.on('disconnect', () => process.exit(0));
