// Entry point the launcher starts: listens on PORT/HOST from the environment.
import { createCartService } from './service.js';

const server = createCartService();
server.listen(Number(process.env.PORT || 8083), process.env.HOST || '127.0.0.1', () => {
  console.log(`cart service listening on ${JSON.stringify(server.address())}`);
});
