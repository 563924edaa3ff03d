// Entry point the launcher starts: listens on PORT/HOST from the environment.
import { createSitesService } from './service.js';

const { server } = createSitesService();
server.listen(Number(process.env.PORT || 8095), process.env.HOST || '127.0.0.1', () => {
  console.log(`sites stand-in listening on ${JSON.stringify(server.address())}`);
});
