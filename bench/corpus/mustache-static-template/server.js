// The fix for janl/mustache.js#748 and #818: one constant template with the order id passed in
// the view, so Mustache's `templateCache` holds a single parsed template however many orders
// are rendered.
import http from 'node:http';
import Mustache from 'mustache';

const template =
  '<section class="order" data-order-id="{{id}}">' +
  '<h1>Order {{id}} for {{customer}}</h1>' +
  '<ul>{{#items}}<li>{{name}} × {{qty}}</li>{{/items}}</ul>' +
  '<form action="/orders/{{id}}/cancel" method="post"><button>Cancel</button></form>' +
  '</section>';

function handle(req, res) {
  const orderId = req.url.split('/')[2] || '0';
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
