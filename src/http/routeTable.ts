/**
 * The routes the API serves, kept as they are registered, so that a known path asked with another method gets
 * 405 and the methods it takes (`Allow`) instead of a 404 that says the path does not exist.
 */
export class RouteTable {
  private readonly routes: { readonly segments: readonly string[]; readonly method: string }[] = [];

  add(method: string | readonly string[], url: string): void {
    const segments = url.split('/');
    for (const m of typeof method === 'string' ? [method] : method)
      this.routes.push({ segments, method: m.toUpperCase() });
  }

  /** Every method some route takes on `path` (a `:param` matches one non-empty segment), sorted; [] when none. */
  methodsFor(path: string): string[] {
    const segments = (path.split('?')[0] ?? '').split('/');
    const matches = (pattern: readonly string[]) =>
      pattern.length === segments.length &&
      pattern.every((p, i) => (p.startsWith(':') ? (segments[i] ?? '') !== '' : p === segments[i]));
    return [...new Set(this.routes.filter((r) => matches(r.segments)).map((r) => r.method))].sort();
  }
}
