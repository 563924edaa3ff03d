// After ajv-validator/ajv#1413: the schema is built and compiled inside the request handler.
// Since v7 Ajv caches compiled schemas by the schema *object*, so a fresh (if identical) object
// per request adds one compiled validator to `ajv._cache` every time.
import http from 'node:http';
import Ajv from 'ajv';

const ajv = new Ajv({ allErrors: true });

function orderSchema() {
  return {
    type: 'object',
    properties: {
      item: { type: 'string', minLength: 1, maxLength: 64 },
      quantity: { type: 'integer', minimum: 1, maximum: 100 },
      note: { type: 'string', maxLength: 200 },
    },
    required: ['item', 'quantity'],
    additionalProperties: false,
  };
}

function handle(req, res) {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    let order;
    try {
      order = JSON.parse(body || '{}');
    } catch {
      res.statusCode = 400;
      return res.end('bad json');
    }
    const validate = ajv.compile(orderSchema());
    const valid = validate(order);
    res.statusCode = valid ? 201 : 422;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(valid ? { accepted: true } : { errors: validate.errors }));
  });
}

http.createServer(handle).listen(Number(process.env.PORT) || 3000, process.env.HOST || '127.0.0.1');
