// Entry point the launcher starts: listens on PORT/HOST from the environment.
import { createQueueService } from './service.js';

const server = createQueueService();
server.listen(Number(process.env.PORT || 5672), process.env.HOST || '127.0.0.1', () => {
  console.log(`orders queue listening on ${JSON.stringify(server.address())}`);
});
