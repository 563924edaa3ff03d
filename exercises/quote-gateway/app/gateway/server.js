// Entry point the launcher starts: listens on PORT/HOST from the environment.
import { createGatewayService } from './service.js';

const server = createGatewayService();
server.listen(Number(process.env.PORT || 8092), process.env.HOST || '127.0.0.1', () => {
  console.log(`gateway listening on ${JSON.stringify(server.address())}`);
});
