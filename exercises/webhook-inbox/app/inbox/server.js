// Entry point the launcher starts: listens on PORT/HOST from the environment.
import { createInboxService } from './service.js';

const inbox = createInboxService();
inbox.server.listen(Number(process.env.PORT || 8093), process.env.HOST || '127.0.0.1', () => {
  console.log(`webhook inbox listening on ${JSON.stringify(inbox.server.address())}`);
});
