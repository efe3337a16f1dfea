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
  readonly server: { readonly backend: string; readonly name: string; readonly args: string } | undefined;
}

const SERVER_LINE = /^\s*server\s+(\S+)\s+(\S.*?)\s*\n?$/;

export class ConfigBuilder {
  private readonly chunks: Chunk[] = [];

  add(text: string, owner?: Owner): void {
    if (text !== '') this.chunks.push({ text: withNewline(text), owner, server: undefined });
  }

  /** A task's server line. Only a single well-formed `server` line can be changed at run time. */
  addServer(backend: string, raw: string, owner: Owner): void {
    if (raw === '') return;
    const text = withNewline(raw);
    const m = SERVER_LINE.exec(text);
    const single = m !== null && text.indexOf('\n') === text.length - 1;
    this.chunks.push({ text, owner, server: single ? { backend, name: m![1]!, args: m![2]! } : undefined });
  }

  build(): {
    config: string;
    skeleton: string;
    servers: Record<string, Record<string, string>>;
    owners: OwnedRange[];
  } {
    let config = '';
    let skeleton = '';
    const servers: Record<string, Record<string, string>> = {};
    const owners: OwnedRange[] = [];
    let line = 1;
    for (const c of this.chunks) {
      config += c.text;
      const lines = countLines(c.text);
      if (c.owner && lines > 0) {
        const last = owners[owners.length - 1];
        if (last && last.appId === c.owner.appId && last.index === c.owner.index && last.to === line - 1) {
          (last as { to: number }).to = line + lines - 1; // made just below, in this loop: no copy per chunk
        } else {
          owners.push({ appId: c.owner.appId, index: c.owner.index, from: line, to: line + lines - 1 });
        }
      }
      line += lines;
      if (c.server) (servers[c.server.backend] ??= {})[c.server.name] = c.server.args;
      else skeleton += c.text;
    }
    return { config, skeleton, servers, owners };
  }
}

// Every piece ends its own line, so a template override without a trailing newline cannot glue
// two directives together.
function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

function countLines(text: string): number {
  if (text === '') return 0;
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n += 1;
  return text.endsWith('\n') ? n : n + 1;
}
