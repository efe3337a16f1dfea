// Preloaded into a controller under test (NODE_OPTIONS=--require): host names listed in the JSON
// file named by MLB_FAKE_DNS resolve to the address given there, or fail (ENOTFOUND) when it is
// null; others resolve as usual. The file is read on every lookup, so a test can change answers.
const dns = require('node:dns');
const fs = require('node:fs');
const { syncBuiltinESMExports } = require('node:module');

const real = dns.promises.lookup;
dns.promises.lookup = async (host, opts) => {
  let table = {};
  try { table = JSON.parse(fs.readFileSync(process.env.MLB_FAKE_DNS, 'utf8')); } catch { /* no file: nothing faked */ }
  if (Object.prototype.hasOwnProperty.call(table, host)) {
    if (table[host] === null) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return { address: table[host], family: 4 };
  }
  return real(host, opts);
};
syncBuiltinESMExports();
