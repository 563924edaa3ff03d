// After janl/mustache.js#748 and #818: the template string is built per request with the
// request's data baked in (here the order id in the markup), then rendered. Mustache caches
// every parsed template keyed by its full text in `templateCache`, with no bound, so every
// distinct page ever rendered stays in memory.
import http from 'node:http';
import Mustache from 'mustache';

function handle(req, res) {
  const orderId = req.url.split('/')[2] || '0';
  const template =
    `<section class="order" data-order-id="${orderId}">` +
    '<h1>Order {{id}} for {{customer}}</h1>' +
    '<ul>{{#items}}<li>{{name}} × {{qty}}</li>{{/items}}</ul>' +
    `<form action="/orders/${orderId}/cancel" method="post"><button>Cancel</button></form>` +
    '</section>';
  const html = Mustache.render(template, {
    id: orderId,
    customer: 'Ada',
    items: [
      { name: 'book', qty: 1 },
      { name: 'pen', qty: 3 },
    ],
  });
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.end(html);
}

http.createServer(handle).listen(Number(process.env.PORT) || 3000, process.env.HOST || '127.0.0.1');
