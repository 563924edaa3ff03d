// Entry point the launcher starts: listens on PORT/HOST from the environment.
import { createQuoteService } from './service.js';

const quotes = createQuoteService();
quotes.server.listen(Number(process.env.PORT || 8091), process.env.HOST || '127.0.0.1', () => {
  console.log(`quotes service listening on ${JSON.stringify(quotes.server.address())}`);
});
