// Entry point the launcher starts: listens on PORT/HOST from the environment.
import { createExportService } from './service.js';

const server = createExportService();
server.listen(Number(process.env.PORT || 8093), process.env.HOST || '127.0.0.1', () => {
  console.log(`exporter listening on ${JSON.stringify(server.address())}`);
});
