// Stand-in for the web: the blogs and shops whose links people paste into the chat. Every
// /articles/<slug> is a page with the usual Open Graph and Twitter meta tags.
import http from 'node:http';

const PARAGRAPH =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ' +
  'ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation. ';

function titleOf(slug) {
  return slug
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

function pageFor(slug) {
  const title = titleOf(slug);
  const description = `${title}: what changed, why it matters and what comes next. ${PARAGRAPH}`;
  return `<!doctype html>
<html lang="en"><head>
<meta charset="utf-8">
<title>${title} | The Example Journal</title>
<meta name="description" content="${description}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="The Example Journal">
<meta property="og:title" content="${title}">
<meta property="og:description" content="${description}">
<meta property="og:image" content="https://cdn.example.test/covers/${slug}.jpg">
<meta property="og:image:width" content="1200">
<meta property="og:image:height" content="630">
<meta property="article:published_time" content="2026-11-30T08:00:00Z">
<meta property="article:section" content="Engineering">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:site" content="@examplejournal">
<meta name="twitter:title" content="${title}">
<meta name="twitter:description" content="${description}">
</head><body><article><h1>${title}</h1>${`<p>${PARAGRAPH}</p>`.repeat(30)}</article></body></html>`;
}

/** Creates the sites' server; `pagesServed` counts the article pages it sent. */
function createSitesService() {
  const counters = { pagesServed: 0 };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://sites.local');
    if (url.pathname === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('{"app":"OK"}');
    }
    const match = /^\/articles\/([a-z0-9-]{1,80})$/.exec(url.pathname);
    if (req.method !== 'GET' || !match) {
      res.writeHead(404, { 'content-type': 'text/html' });
      return res.end('<!doctype html><title>Not found</title>');
    }
    counters.pagesServed++;
    const html = pageFor(match[1]);
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(html),
    });
    res.end(html);
  });
  return { server, counters };
}

export { createSitesService };
