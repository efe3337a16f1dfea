// Accumulates the config as chunks that remember who produced them, so that a line HAProxy
// rejects can be traced to its app, and so that task server lines can be told apart from the
// structure around them (the plan changes servers at run time without a reload). Pure.

export interface Owner {
  readonly appId: string;
  readonly index: number;
}

export interface OwnedRange extends Owner {
  /** 1-based, inclusive line numbers in the final config. */
  readonly from: number;
  readonly to: number;
}

interface Chunk {
  readonly text: string;
  readonly owner: Owner | undefined;
  /** The backend of a task's server line (its name and arguments are parsed only when asked). */
  readonly serverOf: string | undefined;
}

const SERVER_LINE = /^\s*server\s+(\S+)\s+(\S.*?)\s*\n?$/;

export class ConfigBuilder {
  private readonly chunks: Chunk[] = [];

  add(text: string, owner?: Owner): void {
    if (text !== '') this.chunks.push({ text: withNewline(text), owner, serverOf: undefined });
  }

  /** A task's server line (see splitServers: only a single well-formed one can change at run time). */
  addServer(backend: string, raw: string, owner: Owner): void {
    if (raw === '') return;
    this.chunks.push({ text: withNewline(raw), owner, serverOf: backend });
  }

  /**
   * The config text at once (one join); the line owners, the skeleton and the servers only when
   * asked: writing the file after a runtime change needs the text alone, and must not cost a
   * walk over every character of a 10 MB config.
   */
  build(): { config: string; readonly skeleton: string; readonly servers: Record<string, Record<string, string>>; readonly owners: OwnedRange[] } {
    const chunks = this.chunks;
    const config = chunks.map((c) => c.text).join('');
    let split: { skeleton: string; servers: Record<string, Record<string, string>> } | undefined;
    let owners: OwnedRange[] | undefined;
    const splitOnce = () => (split ??= splitServers(chunks));
    return {
      config,
      get skeleton() { return splitOnce().skeleton; },
      get servers() { return splitOnce().servers; },
      get owners() { return (owners ??= ownedRanges(chunks)); },
    };
  }
}

function splitServers(chunks: readonly Chunk[]): { skeleton: string; servers: Record<string, Record<string, string>> } {
  const servers: Record<string, Record<string, string>> = {};
  const rest: string[] = [];
  for (const c of chunks) {
    const m = c.serverOf === undefined ? null : SERVER_LINE.exec(c.text);
    // Only a single well-formed `server` line can be changed at run time.
    if (m !== null && c.text.indexOf('\n') === c.text.length - 1) (servers[c.serverOf!] ??= {})[m[1]!] = m[2]!;
    else rest.push(c.text);
  }
  return { skeleton: rest.join(''), servers };
}

function ownedRanges(chunks: readonly Chunk[]): OwnedRange[] {
  const owners: OwnedRange[] = [];
  let line = 1;
  for (const c of chunks) {
    const lines = countLines(c.text);
    if (c.owner && lines > 0) {
      const last = owners[owners.length - 1];
      if (last && last.appId === c.owner.appId && last.index === c.owner.index && last.to === line - 1) {
        owners[owners.length - 1] = { ...last, to: line + lines - 1 };
      } else {
        owners.push({ ...c.owner, from: line, to: line + lines - 1 });
      }
    }
    line += lines;
  }
  return owners;
}

// Every piece ends its own line, so a template override without a trailing newline cannot glue
// two directives together.
export function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

function countLines(text: string): number {
  if (text === '') return 0;
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n += 1;
  return text.endsWith('\n') ? n : n + 1;
}
