// Entry point the launcher starts: listens on PORT/HOST from the environment.
import { createOriginalsService } from './service.js';

const server = createOriginalsService();
server.listen(Number(process.env.PORT || 8095), process.env.HOST || '127.0.0.1', () => {
  console.log(`originals listening on ${JSON.stringify(server.address())}`);
});
