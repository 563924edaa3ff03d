// Entry point the launcher starts: listens on PORT/HOST from the environment.
import { createPricingService } from './service.js';

const server = createPricingService();
server.listen(Number(process.env.PORT || 8091), process.env.HOST || '127.0.0.1', () => {
  console.log(`pricing listening on ${JSON.stringify(server.address())}`);
});
