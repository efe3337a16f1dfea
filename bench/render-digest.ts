// Prints a digest of the rendered config and maps for synthetic clusters under several option
// sets, so a renderer change can be checked for byte-identical output on big inputs:
//   node dist-bench/bench/render-digest.js > before.txt   (on the old code)
//   node dist-bench/bench/render-digest.js > after.txt    (on the new code); diff the two
import { createHash } from 'node:crypto';
import { builtinTemplateDir, readTemplateDir, render, resolveTemplates } from '../src/config/index.js';
import { normalize, normalizeOptionsFrom } from '../src/model/index.js';
import { renderOptions } from '../test/support/render-support.js';
import { synthesizeCluster } from './synth-cluster.js';

const templates = resolveTemplates({ builtin: readTemplateDir(builtinTemplateDir()), files: {}, env: {} });
const variants = {
  plain: {},
  map: { haproxyMap: true },
  grouped: { groupHttpsByVhost: true },
  nobind: { dontBindHttpHttps: true },
};
for (const size of (process.argv[2] ?? '100,1000,3000').split(',').map(Number)) {
  const cluster = synthesizeCluster(size);
  const opts = normalizeOptionsFrom(
    { groups: ['external'], strictMode: false, healthCheck: false, minServPortIpPerTask: 10050, maxServPortIpPerTask: 10100, frameworkName: undefined },
    cluster.resolve, new Map(),
  );
  const model = normalize(cluster.apps, opts);
  const modelHash = createHash('sha256').update(JSON.stringify(model)).digest('hex').slice(0, 16);
  for (const [name, over] of Object.entries(variants)) {
    const out = render(model, templates, renderOptions(over));
    if (!out.ok) throw out.error;
    const r = out.rendered;
    const h = createHash('sha256').update(JSON.stringify([r.config, r.skeleton, r.servers, r.maps, r.excluded, r.owners])).digest('hex').slice(0, 16);
    console.log(`${size} ${name} model=${modelHash} rendered=${h} bytes=${r.config.length}`);
  }
}
