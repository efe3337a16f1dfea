// Splits a command line the way a POSIX shell would split words (quotes and backslashes),
// without running a shell: marathon-lb's --command was split with Python's shlex.

export function splitShellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined; else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) { word += line[i + 1]; i += 1; }
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c; inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[i + 1]; i += 1; inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) { words.push(word); word = ''; inWord = false; }
    } else {
      word += c; inWord = true;
    }
  }
  if (quote) throw new Error(`unclosed ${quote} in command: ${line}`);
  if (inWord) words.push(word);
  return words;
}
