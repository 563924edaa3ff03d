// The fix for lodash/lodash#3307 and #3622: the same lookup through `lodash/get`, whose path
// cache goes through memoizeCapped (emptied whenever it reaches 500 entries), so it stays
// bounded however many tenants the requests name.
const http = require('node:http');
const get = require('lodash/get');

const settings = { tenants: {}, defaults: { theme: 'light', pageSize: 20 } };

function handle(req, res) {
  const tenant = new URL(req.url, 'http://localhost').searchParams.get('tenant') || 'none';
  const theme = get(settings, `tenants.${tenant}.preferences.theme`, settings.defaults.theme);
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ tenant, theme }));
}

http.createServer(handle).listen(Number(process.env.PORT) || 3000, process.env.HOST || '127.0.0.1');
