// The report exporter: GET /reports/<tenant>/orders.csv?month=YYYY-MM streams a tenant's orders
// as CSV, page by page. Big tenants take a while, so every export gets an id (the
// `x-export-id` header); GET /exports lists the exports running now and
// GET /exports/<id>/progress follows one as newline-delimited JSON until it is done.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { PassThrough, Transform, pipeline } from 'node:stream';
import { orderRows } from './orders.js';

const runningExports = new Map();

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function csvField(value) {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Order rows in, CSV lines out; counts the rows on `job` and reports every page to followers. */
function toCsv(job) {
  return new Transform({
    writableObjectMode: true,
    transform(order, _encoding, callback) {
      if (job.rows === 0) this.push('id,placed_at,sku,qty,total\n');
      job.rows++;
      if (job.rows % 100 === 0)
        job.progress.write({ rows: job.rows, at: new Date().toISOString() });
      callback(
        null,
        [order.id, order.placedAt, order.sku, order.qty, order.total].map(csvField).join(',') +
          '\n',
      );
    },
  });
}

function startExport(tenant, month) {
  const job = {
    id: randomUUID(),
    tenant,
    month,
    startedAt: new Date().toISOString(),
    rows: 0,
    progress: new PassThrough({ objectMode: true }),
  };
  runningExports.set(job.id, job);
  job.progress.write({ rows: 0, tenant, month, startedAt: job.startedAt });
  job.progress.on('end', () => runningExports.delete(job.id));
  return job;
}

function exportOrders(res, tenant, month) {
  const job = startExport(tenant, month);
  res.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${tenant}-${month}-orders.csv"`,
    'x-export-id': job.id,
  });
  pipeline(orderRows(tenant, month), toCsv(job), res, (error) => {
    if (error) job.progress.destroy(error);
    else job.progress.end({ rows: job.rows, done: true, at: new Date().toISOString() });
  });
}

function followExport(res, id) {
  const job = runningExports.get(id);
  if (!job) return sendJson(res, 404, { error: `no running export ${id}` });
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  const lines = new Transform({
    writableObjectMode: true,
    transform(update, _encoding, callback) {
      callback(null, JSON.stringify({ id, ...update }) + '\n');
    },
  });
  pipeline(job.progress, lines, res, () => {});
}

/** Creates the exporter's HTTP server. */
function createExportService() {
  return http.createServer((req, res) => {
    const url = new URL(req.url, 'http://exporter.local');
    if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
    if (url.pathname === '/exports') {
      const running = [...runningExports.values()].map(
        ({ id, tenant, month, startedAt, rows }) => ({
          id,
          tenant,
          month,
          startedAt,
          rows,
        }),
      );
      return sendJson(res, 200, { running });
    }
    const follow = url.pathname.match(/^\/exports\/([0-9a-f-]+)\/progress$/);
    if (follow) return followExport(res, follow[1]);
    const report = url.pathname.match(/^\/reports\/([a-z0-9-]+)\/orders\.csv$/);
    if (report && req.method === 'GET') {
      const month = url.searchParams.get('month') || new Date().toISOString().slice(0, 7);
      if (!/^\d{4}-\d{2}$/.test(month)) return sendJson(res, 400, { error: 'month is YYYY-MM' });
      return exportOrders(res, report[1], month);
    }
    sendJson(res, 404, { error: 'not found' });
  });
}

export { createExportService };
