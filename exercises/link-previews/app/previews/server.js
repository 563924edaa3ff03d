// Entry point the launcher starts: listens on PORT/HOST from the environment.
import { createPreviewService } from './service.js';

const previews = createPreviewService();
previews.server.listen(Number(process.env.PORT || 8094), process.env.HOST || '127.0.0.1', () => {
  console.log(`previews service listening on ${JSON.stringify(previews.server.address())}`);
});
