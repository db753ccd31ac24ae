// Reusable pieces for browser end-to-end tests: build the site once per test file, serve it
// under a sub-path from a tiny static server, and drive Debian's Chromium with WebGPU enabled.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.data': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.glb': 'model/gltf-binary',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
};

export function mimeType(path: string): string {
  return MIME[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

export interface BuiltSite {
  dir: string;
  remove(): Promise<void>;
}

/** Builds the site with Vite's programmatic API into a fresh temp dir. */
export async function buildSite(): Promise<BuiltSite> {
  const { build } = await import('vite');
  const dir = await mkdtemp(join(tmpdir(), 'trellis-site-'));
  await build({
    root: REPO_ROOT,
    configFile: join(REPO_ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: dir, emptyOutDir: true },
  });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Builds the <trellis-generator> library (vite.widget.config.ts) into `outDir`; `mode: 'site'`
 * is what `npm run build` does for dist/widget/ (no ort/ of its own, the site's ../ort/ is used).
 */
export async function buildWidget(outDir: string, mode: 'standalone' | 'site' = 'standalone'): Promise<void> {
  const { build } = await import('vite');
  await build({
    mode,
    root: REPO_ROOT,
    configFile: join(REPO_ROOT, 'vite.widget.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
}

export interface StaticServer {
  /** Absolute URL of the served root, ending in the prefix (e.g. http://127.0.0.1:PORT/sub/trellis/). */
  url: string;
  /** scheme://host:port of the server. */
  origin: string;
  requests: { path: string; status: number }[];
  /** While down, every request's connection is dropped (a real network failure, not an HTTP error). */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Sub-path the site lives under; must start and end with '/'. */
  prefix?: string;
  /** Send COOP/COEP so the page is crossOriginIsolated (threads in ORT's wasm). */
  isolate?: boolean;
  /** Send Access-Control-Allow-Origin: * (a page on another origin loads modules, models, wasm). */
  cors?: boolean;
  /** Host name to listen on and to put in the URL (default 127.0.0.1). */
  host?: string;
}

/** Serves `dir` on 127.0.0.1 at a random port under `prefix`, with correct MIME types. */
export async function serveStatic(dir: string, options: ServeOptions = {}): Promise<StaticServer> {
  const prefix = options.prefix ?? '/';
  if (!prefix.startsWith('/') || !prefix.endsWith('/')) throw new Error(`prefix must start and end with '/', got ${prefix}`);
  const root = normalize(dir + sep);
  const requests: StaticServer['requests'] = [];
  let down = false;
  const server: Server = createServer(async (req, res) => {
    if (down) {
      req.socket.destroy();
      return;
    }
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const send = (status: number, body: string | Buffer, type = 'text/plain; charset=utf-8') => {
      requests.push({ path, status });
      const headers: Record<string, string> = { 'Content-Type': type, 'Cache-Control': 'no-store' };
      if (options.isolate) {
        headers['Cross-Origin-Opener-Policy'] = 'same-origin';
        headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      }
      if (options.cors) headers['Access-Control-Allow-Origin'] = '*';
      res.writeHead(status, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (!path.startsWith(prefix)) return send(404, `not under ${prefix}`);
    let file = normalize(join(root, path.slice(prefix.length)));
    if (!file.startsWith(root)) return send(403, 'outside the served folder');
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      send(200, await readFile(file), mimeType(file));
    } catch {
      send(404, 'not found');
    }
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host === 'localhost' ? '127.0.0.1' : host, resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('server has no TCP address');
  return {
    url: `http://${host}:${address.port}${prefix}`,
    origin: `http://${host}:${address.port}`,
    requests,
    setDown: (on) => {
      down = on;
      if (on) server.closeAllConnections();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and console errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

/** Launches headless Debian Chromium with WebGPU enabled and a fresh profile. */
/** `extraArgs`: more Chromium flags (the GPU bench asks for the real adapter with them). */
export async function launchChromium(extraArgs: string[] = []): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does this)`);
  }
  const userDataDir = await mkdtemp(join(tmpdir(), 'trellis-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface DevServer {
  url: string;
  close(): Promise<void>;
}

/** Starts the Vite dev server (what `npm start` runs) on 127.0.0.1 at a free port. */
export async function startDevServer(): Promise<DevServer> {
  const { createServer } = await import('vite');
  const server = await createServer({
    root: REPO_ROOT,
    configFile: join(REPO_ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    server: { host: '127.0.0.1', port: 0, strictPort: false },
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite dev server reported no local URL');
  return { url, close: () => server.close() };
}

/** Opens a test harness page and waits until it reports `#status` = "ready". */
export async function openHarnessPage(browser: BrowserSession, url: string): Promise<void> {
  await browser.page.goto(url);
  await browser.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', undefined, { timeout: 60_000 });
}

/** afterAll of a browser test: close the browser and server, remove the built site. */
export async function closeBrowserTest(browser: BrowserSession | undefined, server: StaticServer | undefined, siteDir: string | undefined): Promise<void> {
  await browser?.close();
  await server?.close();
  if (siteDir) await rm(siteDir, { recursive: true, force: true });
}
