/**
 * NATS subject matching, as the broker applies a consumer's filter or a stream's subjects: `*` is one token, `>` one
 * or more trailing tokens. Shared by the JetStream adapter (which checks a publish against the stream's subjects
 * before sending) and the simulation (which depends on nothing NATS).
 */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const token = p[i];
    if (token === '>') return s.length > i;
    if (i >= s.length || (token !== '*' && token !== s[i])) return false;
  }
  return p.length === s.length;
}
