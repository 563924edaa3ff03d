// Entry point the launcher starts: listens on PORT/HOST from the environment.
import { createSearchService } from './service.js';

const server = createSearchService();
server.listen(Number(process.env.PORT || 8090), process.env.HOST || '127.0.0.1', () => {
  console.log(`search listening on ${JSON.stringify(server.address())}`);
});
