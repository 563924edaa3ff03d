// Healthy: Koa's hello world with a timing middleware. Nothing is kept between requests.
import Koa from 'koa';

const app = new Koa();

app.use(async (ctx, next) => {
  const started = Date.now();
  await next();
  ctx.set('x-response-time', `${Date.now() - started}ms`);
});

app.use(async (ctx) => {
  ctx.body = `Hello ${ctx.path.split('/')[2] || 'world'}!`;
});

app.listen(Number(process.env.PORT) || 3000, process.env.HOST || '127.0.0.1');
