// Entry point the launcher starts: listens on PORT/HOST from the environment.
import { createDispatchService } from './service.js';

const dispatch = createDispatchService();
dispatch.server.listen(Number(process.env.PORT || 8085), process.env.HOST || '127.0.0.1', () => {
  console.log(`dispatch listening on ${JSON.stringify(dispatch.server.address())}`);
  dispatch.start();
});
