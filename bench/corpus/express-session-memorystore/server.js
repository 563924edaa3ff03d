// After expressjs/session#220 and the README's MemoryStore warning: the default MemoryStore with
// saveUninitialized: true. Clients that never send the cookie back (health checks, crawlers,
// API clients) get a new session on every request, and MemoryStore keeps each one until it
// expires (a day here) without ever pruning.
import express from 'express';
import session from 'express-session';

const app = express();
app.use(
  session({
    secret: 'corpus-not-a-secret',
    resave: false,
    saveUninitialized: true,
    cookie: { maxAge: 24 * 60 * 60 * 1000, sameSite: 'lax', httpOnly: true },
  }),
);

app.get('/products/:id', (req, res) => {
  res.json({ id: req.params.id, seenBefore: Boolean(req.session.lastProduct) });
});

app.listen(Number(process.env.PORT) || 3000, process.env.HOST || '127.0.0.1');
