// Entry point the launcher starts: listens on PORT/HOST from the environment.
import { createProcessorService } from './service.js';

const server = createProcessorService();
server.listen(Number(process.env.PORT || 9000), process.env.HOST || '127.0.0.1', () => {
  console.log(`processor listening on ${JSON.stringify(server.address())}`);
});
