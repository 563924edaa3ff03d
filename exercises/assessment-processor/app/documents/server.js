// Entry point the launcher starts: listens on PORT/HOST from the environment.
import { createDocumentService } from './service.js';

const server = createDocumentService();
server.listen(Number(process.env.PORT || 9002), process.env.HOST || '127.0.0.1', () => {
  console.log(`document store listening on ${JSON.stringify(server.address())}`);
});
