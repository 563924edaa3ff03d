import { createApp } from './app';

const app = createApp();
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
app.server.listen(port, host, () => {
  console.log(`task API listening on http://${host}:${port}`);
});
process.on('SIGTERM', () => {
  app.server.close(() => void app.shutdown());
});
