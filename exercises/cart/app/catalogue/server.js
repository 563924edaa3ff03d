// Entry point the launcher starts: listens on PORT/HOST from the environment.
import { createCatalogueService } from './service.js';

const server = createCatalogueService();
server.listen(Number(process.env.PORT || 8082), process.env.HOST || '127.0.0.1', () => {
  console.log(`catalogue service listening on ${JSON.stringify(server.address())}`);
});
