// Entry point the launcher starts: listens on PORT/HOST from the environment.
import { createSupplierService } from './service.js';

const { server } = createSupplierService();
server.listen(Number(process.env.PORT || 8092), process.env.HOST || '127.0.0.1', () => {
  console.log(`supplier stand-in listening on ${JSON.stringify(server.address())}`);
});
