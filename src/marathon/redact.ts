// Credential hygiene for anything that ends up in a log line, an error message or a status page.
// Operators put `user:pass@` into --marathon URLs; those must never leak into output.

/** The URL with any `user:pass@` removed; a string that is not a URL has its userinfo cut. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    // Not parseable: still remove anything shaped like `//userinfo@`.
    return url.replace(/\/\/[^/\s]*@/g, '//');
  }
}

/** Base URL and the basic-auth credentials embedded in it, if any (percent-decoded). */
export function splitUrlCredentials(url: string): {
  url: string;
  auth?: { user: string; password: string };
} {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return { url: parsed.toString() };
  const auth = {
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
  };
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString(), auth };
}

/** Remove a known secret from free text (e.g. an error message from a library). */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= 3) out = out.split(secret).join('***');
  }
  // Authorization header values a library may echo back.
  return out.replace(/\b(Basic|Bearer|token=)\s*[A-Za-z0-9+/=._-]{6,}/g, '$1 ***');
}
