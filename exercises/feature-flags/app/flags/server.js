// Entry point the launcher starts: listens on PORT/HOST from the environment.
import { createFlagService } from './service.js';

const server = createFlagService();
server.listen(Number(process.env.PORT || 8094), process.env.HOST || '127.0.0.1', () => {
  console.log(`flags listening on ${JSON.stringify(server.address())}`);
});
