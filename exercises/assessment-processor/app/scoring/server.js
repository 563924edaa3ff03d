// Entry point the launcher starts: listens on PORT/HOST from the environment.
import { createScoringService } from './service.js';

const server = createScoringService();
server.listen(Number(process.env.PORT || 9001), process.env.HOST || '127.0.0.1', () => {
  console.log(`scoring API listening on ${JSON.stringify(server.address())}`);
});
