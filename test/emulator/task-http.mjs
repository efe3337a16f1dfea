// What an emulated task answers, shared by the two ways tasks run in their own process
// (task-server.mjs: one process per task; task-agent.mjs: one process for many, like a Mesos
// agent). Every request gets 200 (after `?delay=<ms>` if given, at most a minute), body
// "<task id>\n" and header X-Task-Id; a health path answers 503 while the task is unhealthy.
// Plain JavaScript on purpose: it runs with bare `node`, with no build step.
import http from 'node:http';

/** Listens on `l` ({ip, port, healthPaths}); `alive()` says whether health paths answer 200. */
export function listenTask(taskId, l, alive) {
  return new Promise((resolve, reject) => {
    const srv = http.createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const status = l.healthPaths.includes(path) && !alive() ? 503 : 200;
      req.resume();
      const m = /[?&]delay=(\d+)/.exec(req.url ?? '');
      const timer = setTimeout(() => {
        res.writeHead(status, { 'Content-Type': 'text/plain', 'X-Task-Id': taskId });
        res.end(`${taskId}\n`);
      }, m ? Math.min(60000, Number(m[1])) : 0);
      res.on('close', () => clearTimeout(timer));
    });
    srv.keepAliveTimeout = 1000;
    srv.once('error', reject);
    srv.listen({ host: l.ip, port: l.port, exclusive: true }, () => resolve(srv));
  });
}

/** Like a process given SIGTERM that exits promptly: stop accepting, let requests in flight finish briefly, then drop the rest. */
export function closeTask(servers) {
  return Promise.all(servers.map((srv) => new Promise((resolve) => {
    srv.close(() => resolve());
    srv.closeIdleConnections();
    setTimeout(() => srv.closeAllConnections(), 100).unref();
  })));
}
