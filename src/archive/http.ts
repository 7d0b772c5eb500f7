// Fetching from mirrors: plain GET over http, https or file, through the proxy the
// environment names (http_proxy, https_proxy, no_proxy, as apt and curl read them),
// with a time limit and a size limit, and redirects followed or handed back.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { readRegularFile, refusalText } from '../io/regular-file.js';
import { ArchiveError } from './errors.js';

export interface Response {
  status: number;
  /** The URL that answered (after redirects). */
  url: string;
  location: string | undefined;
  body: Buffer;
}

export interface GetOptions {
  /** Follow redirects (default), or hand a 3xx back with its Location. */
  redirects?: 'follow' | 'manual';
  maxBytes?: number;
  timeoutMs?: number;
}

const MAX_REDIRECTS = 5;
const DEFAULT_MAX = 512 * 1024 * 1024;
const DEFAULT_TIMEOUT = 120_000;

/** The proxy for `url` from the environment, or undefined (no_proxy, or none set). */
function proxyFor(url: URL, env = process.env): URL | undefined {
  const value = url.protocol === 'https:' ? (env.https_proxy ?? env.HTTPS_PROXY) : (env.http_proxy ?? env.HTTP_PROXY);
  if (!value) return undefined;
  const noProxy = (env.no_proxy ?? env.NO_PROXY ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  const host = url.hostname.toLowerCase();
  if (noProxy.some((h) => h === '*' || host === h.replace(/^\./, '') || host.endsWith(h.startsWith('.') ? h : `.${h}`))) return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** A TLS socket to `url` through an http proxy's CONNECT. */
function tunnel(proxy: URL, url: URL, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const port = url.port || '443';
    const req = http.request({ host: proxy.hostname, port: proxy.port || 80, method: 'CONNECT', path: `${url.hostname}:${port}`, timeout: timeoutMs });
    req.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new Error(`the proxy ${proxy.host} answered CONNECT with ${res.statusCode}`));
        return;
      }
      resolve(tls.connect({ socket, servername: url.hostname }));
    });
    req.once('timeout', () => req.destroy(new Error('timed out connecting through the proxy')));
    req.once('error', reject);
    req.end();
  });
}

async function once(url: URL, maxBytes: number, timeoutMs: number): Promise<{ status: number; location?: string; body: Buffer }> {
  if (url.protocol === 'file:') {
    // A local archive (file:): read as every other file is, never past the limit.
    const read = readRegularFile(fileURLToPath(url), { maxBytes, follow: true });
    if (read.ok) return { status: 200, body: read.bytes };
    if (read.refused.why === 'missing') return { status: 404, body: Buffer.alloc(0) };
    throw new Error(refusalText(read.refused, 'an index'));
  }
  const proxy = proxyFor(url);
  const isHttps = url.protocol === 'https:';
  const socket = proxy && isHttps ? await tunnel(proxy, url, timeoutMs) : undefined;
  const options: http.RequestOptions = proxy && !isHttps
    ? { host: proxy.hostname, port: proxy.port || 80, path: url.href, headers: { Host: url.host } }
    : { host: url.hostname, port: url.port || (isHttps ? 443 : 80), path: `${url.pathname}${url.search}`, ...(socket ? { createConnection: () => socket } : {}) };
  return new Promise((resolve, reject) => {
    const req = (isHttps ? https : http).request({ ...options, method: 'GET', timeout: timeoutMs, headers: { ...options.headers, 'User-Agent': 'mkimage-gen' } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          req.destroy(new Error(`more than ${maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.once('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: Buffer.concat(chunks) }));
      res.once('error', reject);
    });
    req.once('timeout', () => req.destroy(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)));
    req.once('error', reject);
    req.end();
  });
}

/** Why a request failed, in a few words: the error code where node gives one. */
function why(error: unknown): string {
  const e = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.code ?? e.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host name not found';
  if (code === 'ECONNRESET') return 'connection reset';
  return e.message || String(error);
}

/** GET `url`; a network failure is an ArchiveError that names it. A 404 is returned, not thrown. */
export async function get(url: string, options: GetOptions = {}): Promise<Response> {
  let current = new URL(url);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    let answer: Awaited<ReturnType<typeof once>>;
    try {
      answer = await once(current, options.maxBytes ?? DEFAULT_MAX, options.timeoutMs ?? DEFAULT_TIMEOUT);
    } catch (error) {
      throw new ArchiveError(`cannot reach ${current.href}: ${why(error)}`);
    }
    const location = answer.location === undefined ? undefined : new URL(answer.location, current).href;
    if (answer.status >= 300 && answer.status < 400 && location !== undefined && options.redirects !== 'manual') {
      current = new URL(location);
      continue;
    }
    return { status: answer.status, url: current.href, location, body: answer.body };
  }
  throw new ArchiveError(`cannot read ${url}: more than ${MAX_REDIRECTS} redirects`);
}
