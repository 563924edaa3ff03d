// Entry point the launcher starts: listens on PORT/HOST from the environment.
import { createThumbnailService } from './service.js';

const server = createThumbnailService();
server.listen(Number(process.env.PORT || 8096), process.env.HOST || '127.0.0.1', () => {
  console.log(`thumbs listening on ${JSON.stringify(server.address())}`);
});
