// Marathon's `label=` selector for GET /v2/apps (spec §2.1): comma-separated AND of `key`,
// `key==v`, `key!=v`, `key in (a,b)`, `key notin (a,b)`; `\` escapes special characters. Pure.

type Predicate = (labels: Record<string, string>) => boolean;

/** Splits on `sep` outside parentheses, honouring backslash escapes (which are kept). */
function splitTop(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[i + 1];
      i++;
      continue;
    }
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === sep && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function unescape(s: string): string {
  return s.trim().replace(/\\(.)/g, '$1');
}

function parseOne(sel: string): Predicate | undefined {
  const set = /^(.+?)\s+(in|notin)\s+\((.*)\)\s*$/.exec(sel);
  if (set) {
    const key = unescape(set[1]!);
    const values = splitTop(set[3]!, ',').map(unescape);
    const positive = set[2] === 'in';
    return (l) => (key in l && values.includes(l[key]!)) === positive;
  }
  const eq = /^(.+?)(==|!=)(.*)$/.exec(sel);
  if (eq) {
    const key = unescape(eq[1]!);
    const value = unescape(eq[3]!);
    return eq[2] === '==' ? (l) => l[key] === value : (l) => l[key] !== value;
  }
  const key = unescape(sel);
  return key === '' ? undefined : (l) => key in l;
}

/** Returns a predicate over app labels, or undefined when the selector is empty. */
export function parseLabelSelector(selector: string): Predicate | undefined {
  const preds = splitTop(selector, ',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(parseOne)
    .filter((p): p is Predicate => p !== undefined);
  if (preds.length === 0) return undefined;
  return (labels) => preds.every((p) => p(labels));
}
