import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callLine, packageOf, packageUseLine, soleCallLine } from '../../../src/heap/allocations';

test('a dependency frame names its package, scoped or not, the innermost node_modules winning', () => {
  assert.equal(packageOf('/app/node_modules/express-session/session/memory.js'), 'express-session');
  assert.equal(packageOf('/app/node_modules/@scope/lib/index.js'), '@scope/lib');
  assert.equal(packageOf('/app/node_modules/express/node_modules/qs/lib/parse.js'), 'qs');
  assert.equal(packageOf('C:\\app\\node_modules\\@a\\b\\x.js'), '@a/b');
  assert.equal(packageOf('/app/server.js'), undefined);
});

test('the line that sets a package up is a call of the name its require or import binds', () => {
  const commonjs = [
    "const express = require('express');",
    "const session = require('express-session');",
    'const app = express();',
    '// session(...) in a comment does not count',
    'app.use(session({ secret: "s", saveUninitialized: true }));',
    "app.get('/', (req, res) => res.send('hi'));",
  ];
  assert.deepEqual(packageUseLine(commonjs, 'express-session'), { line: 5, column: 9 });
  assert.deepEqual(packageUseLine(commonjs, 'express'), { line: 3, column: 13 });
  const esm = [
    "import { Histogram as H, register } from 'prom-client';",
    "import pino from 'pino';",
    'const log = pino();',
    'const h = new H({ name: "x" });',
  ];
  assert.deepEqual(packageUseLine(esm, 'prom-client'), { line: 4, column: 15 });
  assert.deepEqual(packageUseLine(esm, 'pino'), { line: 3, column: 13 });
  assert.equal(packageUseLine(esm, 'express-session'), undefined);
});

test('within a function, the use of the package whose code it entered', () => {
  const lines = [
    "import winston from 'winston';",
    'function handle(req, res) {',
    "  const id = req.url.split('/')[2];",
    '  const logger = winston.createLogger({ format: winston.format.json() });',
    '  res.end(id);',
    '}',
  ];
  assert.deepEqual(packageUseLine(lines, 'winston', { from: 1, to: 6 }), { line: 4, column: 18 });
  assert.equal(packageUseLine(lines, 'winston', { from: 4, to: 6 }), undefined);
});

test('the one line of a body that makes a call, and none when several lines do', () => {
  const lines = [
    "res.on('finish', () => {",
    '  if (done) return;',
    '  end({ route: req.url, status: res.statusCode });',
    '});',
    'function handle(req, res) {',
    "  const id = req.url.split('/')[2];",
    '  res.end(id);',
    '}',
  ];
  assert.deepEqual(soleCallLine(lines, { from: 0, to: 4 }), { line: 3, column: 3 });
  assert.equal(soleCallLine(lines, { from: 4, to: 8 }), undefined);
});

test("the call into a package's function is the one made through what the module imports from it", () => {
  const handler = [
    "const get = require('lodash.get');",
    "const _ = require('lodash');",
    'function handle(req, res) {',
    "  const tenant = new URL(req.url, 'http://x').searchParams.get('tenant');",
    '  const theme = get(settings, `tenants.${tenant}.theme`);',
    '  const size = _.get(settings, `tenants.${tenant}.size`);',
    '}',
  ];
  const body = { from: 2, to: 7 };
  assert.deepEqual(callLine(handler, body, 'get', 'lodash.get'), { line: 5, column: 17 });
  assert.deepEqual(callLine(handler, body, 'get', 'lodash'), { line: 6, column: 16 });
  assert.equal(callLine(handler, body, 'get')?.line, 4, 'without a package, the first call');
  assert.equal(callLine(handler, body, 'get', 'other')?.line, 4, 'nothing imported from it');
});
