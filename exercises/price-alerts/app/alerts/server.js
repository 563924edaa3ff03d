// Entry point the launcher starts: listens on PORT/HOST from the environment.
import { createAlertsService } from './service.js';

const alerts = createAlertsService();
alerts.server.listen(Number(process.env.PORT || 8090), process.env.HOST || '127.0.0.1', () => {
  console.log(`alerts service listening on ${JSON.stringify(alerts.server.address())}`);
});
