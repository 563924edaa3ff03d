// Entry point the launcher starts: listens on PORT/HOST from the environment.
import { createUserService } from './service.js';

const server = createUserService();
server.listen(Number(process.env.PORT || 8081), process.env.HOST || '127.0.0.1', () => {
  console.log(`user service listening on ${JSON.stringify(server.address())}`);
});
