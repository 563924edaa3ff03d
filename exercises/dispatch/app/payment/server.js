// Entry point the launcher starts: listens on PORT/HOST from the environment.
import { createPaymentService } from './service.js';

const server = createPaymentService();
server.listen(Number(process.env.PORT || 8084), process.env.HOST || '127.0.0.1', () => {
  console.log(`payment service listening on ${JSON.stringify(server.address())}`);
});
