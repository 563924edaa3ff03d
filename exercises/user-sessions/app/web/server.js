// Entry point the launcher starts: listens on PORT/HOST from the environment.
import { createWebService } from './service.js';

const server = createWebService();
server.listen(Number(process.env.PORT || 8080), process.env.HOST || '127.0.0.1', () => {
  console.log(`web gateway listening on ${JSON.stringify(server.address())}`);
});
