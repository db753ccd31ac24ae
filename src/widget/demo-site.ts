// Which Trellis Web deployment the demo host page (demo-host.html) embeds. The page imports the
// widget module from that site and trusts postMessage answers from its origin, so the site must
// not come freely from the query string: anyone could send a link that runs their script in
// this origin. Allowed: this page's own origin, origins listed at build time (VITE_DEMO_SITES,
// comma-separated), and any loopback origin when the page itself is on loopback (a developer
// machine, or the tests' two local servers).

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface DemoSite {
  site: URL;
  /** Why ?site= was refused (the page's own folder is used instead), or null. */
  problem: string | null;
}

export function parseSiteList(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter(Boolean).map((s) => new URL(s).origin);
}

export function resolveDemoSite(param: string | null, pageHref: string, buildSites: readonly string[] = []): DemoSite {
  const fallback = new URL('./', pageHref);
  if (param === null || param === '') return { site: fallback, problem: null };
  let site: URL;
  try {
    site = new URL(param, pageHref);
  } catch {
    return { site: fallback, problem: `?site=${JSON.stringify(param)} is not a URL` };
  }
  if (site.protocol !== 'http:' && site.protocol !== 'https:') return { site: fallback, problem: `?site= must be an http(s) URL, got ${site.protocol}` };
  const page = new URL(pageHref);
  const allowed =
    site.origin === page.origin || buildSites.includes(site.origin) || (LOOPBACK.has(page.hostname) && LOOPBACK.has(site.hostname));
  if (!allowed) {
    return { site: fallback, problem: `?site=${site.origin} is not one of the sites this page may embed (its own origin${buildSites.length ? `, ${buildSites.join(', ')}` : ''}); set VITE_DEMO_SITES at build time to add one` };
  }
  return { site, problem: null };
}

/** The widget module: always the site's own build (never a URL from the query string). */
export function widgetModuleUrl(site: URL, dev: boolean): string {
  return new URL(dev ? '/src/widget/index.ts' : 'widget/trellis-generator.js', site).href;
}
