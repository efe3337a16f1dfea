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

const SERVER_LINE = /^\s*server\s+(\S+)\s+(\S.*?)\s*\n?$/;

/**
 * The chunks as parallel arrays rather than an object each: a 10,000-app config has ~40,000
 * of them, all alive until the file is written. An owner is whatever object carries the app
 * and index (a Service, usually): nothing is made per chunk. A task server line only records
 * its backend; whether it is a well-formed single `server` line is read when the servers or
 * the skeleton are asked for, which a full render seldom needs.
 */
export class ConfigBuilder {
  private readonly texts: string[] = [];
  private readonly owners: Array<Owner | undefined> = [];
  /** The backend of a task server line; undefined for any other chunk. */
  private readonly backends: Array<string | undefined> = [];

  add(text: string, owner?: Owner): void {
    if (text !== '') this.push(withNewline(text), owner, undefined);
  }

  /** A task's server line. Only a single well-formed `server` line can be changed at run time. */
  addServer(backend: string, raw: string, owner: Owner): void {
    if (raw !== '') this.push(withNewline(raw), owner, backend);
  }

  private push(text: string, owner: Owner | undefined, backend: string | undefined): void {
    this.texts.push(text);
    this.owners.push(owner);
    this.backends.push(backend);
  }

  /**
   * The config text at once (one join); the line owners, the skeleton and the servers only when
   * asked: writing the file after a runtime change needs the text alone, and must not cost a
   * walk over every character of a 10 MB config.
   */
  build(): { config: string; readonly skeleton: string; readonly servers: Record<string, Record<string, string>>; readonly owners: OwnedRange[] } {
    const { texts, owners: chunkOwners, backends } = this;
    const config = texts.join('');
    let split: { skeleton: string; servers: Record<string, Record<string, string>> } | undefined;
    let owners: OwnedRange[] | undefined;
    const splitOnce = () => (split ??= splitServers(texts, backends));
    return {
      config,
      get skeleton() { return splitOnce().skeleton; },
      get servers() { return splitOnce().servers; },
      get owners() { return (owners ??= ownedRanges(texts, chunkOwners)); },
    };
  }
}

function splitServers(texts: readonly string[], backends: readonly (string | undefined)[]): { skeleton: string; servers: Record<string, Record<string, string>> } {
  const servers: Record<string, Record<string, string>> = {};
  const rest: string[] = [];
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i]!;
    const backend = backends[i];
    const m = backend === undefined ? null : SERVER_LINE.exec(text);
    if (m !== null && text.indexOf('\n') === text.length - 1) (servers[backend!] ??= {})[m[1]!] = m[2]!;
    else rest.push(text);
  }
  return { skeleton: rest.join(''), servers };
}

function ownedRanges(texts: readonly string[], chunkOwners: readonly (Owner | undefined)[]): OwnedRange[] {
  const owners: OwnedRange[] = [];
  let line = 1;
  for (let i = 0; i < texts.length; i++) {
    const lines = countLines(texts[i]!);
    const owner = chunkOwners[i];
    if (owner && lines > 0) {
      const last = owners[owners.length - 1];
      if (last && last.appId === owner.appId && last.index === owner.index && last.to === line - 1) {
        owners[owners.length - 1] = { ...last, to: line + lines - 1 };
      } else {
        // Only the app and the index: the owner may be a whole Service.
        owners.push({ appId: owner.appId, index: owner.index, from: line, to: line + lines - 1 });
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
