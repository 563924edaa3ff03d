// Link previews for the team chat: when someone pastes a link, the client asks for
// /preview?url=… and shows a card with the page's title, description and image. Fetching and
// parsing a page takes 50-500 ms in production, and the same links are pasted again and again
// (release notes, the status page), so previews are kept in a cache of the most recent links.
import http from 'node:http';
import { LruCache } from './cache.js';

const CACHED_PREVIEWS = 300;

function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function getText(agent, url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(Buffer.concat(chunks).toString('utf8'))
          : reject(new Error(`the page answered ${res.statusCode}`)),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

function unescapeHtml(text) {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function escapeHtml(text) {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** The meta tags of a page's <head>, by name or property. */
function metaTags(html) {
  const head = html.slice(0, Math.max(0, html.indexOf('</head>')));
  const tags = {};
  for (const match of head.matchAll(/<meta\s+(?:name|property)="([^"]+)"\s+content="([^"]*)"/g))
    tags[match[1]] = unescapeHtml(match[2]);
  const title = /<title>([^<]*)<\/title>/.exec(head);
  if (title) tags.title = unescapeHtml(title[1]);
  return tags;
}

function previewOf(url, html) {
  const tags = metaTags(html);
  const preview = {
    url,
    title: tags['og:title'] ?? tags.title ?? url,
    description: tags['og:description'] ?? tags.description ?? '',
    image: tags['og:image'] ?? null,
    siteName: tags['og:site_name'] ?? new URL(url).hostname,
    tags,
    fetchedAt: new Date().toISOString(),
  };
  preview.card =
    `<a class="preview" href="${escapeHtml(url)}">` +
    (preview.image ? `<img src="${escapeHtml(preview.image)}" alt="">` : '') +
    `<strong>${escapeHtml(preview.title)}</strong><p>${escapeHtml(preview.description)}</p>` +
    `<small>${escapeHtml(preview.siteName)}</small></a>`;
  return preview;
}

/**
 * Creates the preview service: `{ server, stats, close }`. `sitesUrl` (default SITES_URL)
 * stands in for the web: a link's path is fetched from there.
 */
function createPreviewService({
  sitesUrl = process.env.SITES_URL,
  cachedPreviews = CACHED_PREVIEWS,
} = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const cache = new LruCache(cachedPreviews);
  const stats = { hits: 0, misses: 0, failures: 0 };

  async function handle(req, res) {
    const url = new URL(req.url, 'http://previews.local');
    if (url.pathname === '/health') return sendJson(res, 200, { app: 'OK' });
    if (url.pathname === '/stats') return sendJson(res, 200, { ...stats, cached: cache.size });
    if (req.method !== 'GET' || url.pathname !== '/preview')
      return sendJson(res, 404, { error: 'not found' });
    const link = url.searchParams.get('url') || '';
    if (!/^\/[A-Za-z0-9/_.-]{1,200}$/.test(link))
      return sendJson(res, 400, { error: 'url must be a path on the sites stand-in' });

    const cached = cache.get(link);
    if (cached) {
      stats.hits++;
      return sendJson(res, 200, cached, { 'x-cache': 'hit' });
    }
    let preview;
    try {
      preview = previewOf(
        new URL(link, sitesUrl).href,
        await getText(agent, new URL(link, sitesUrl)),
      );
    } catch {
      stats.failures++;
      return sendJson(res, 502, { error: 'the page could not be fetched' });
    }
    stats.misses++;
    cache.set(link, preview);
    sendJson(res, 200, preview, { 'x-cache': 'miss' });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
    });
  });

  return {
    server,
    stats,
    close() {
      agent.destroy();
    },
  };
}

export { createPreviewService };
