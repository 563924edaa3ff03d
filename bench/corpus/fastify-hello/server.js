// Healthy: Fastify's hello world with a route parameter and a JSON reply. Nothing is kept
// between requests.
import Fastify from 'fastify';

const app = Fastify({ logger: false });

app.get('/hello/:name', async (request) => {
  return { hello: request.params.name };
});

app
  .listen({ port: Number(process.env.PORT) || 3000, host: process.env.HOST || '127.0.0.1' })
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
