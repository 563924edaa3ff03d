// The fix for expressjs/session#220-style growth under sessionless clients: the same app with
// saveUninitialized: false, so a session is only stored once the handler puts something in it.
// This handler only reads the session; sessionless requests store nothing.
import express from 'express';
import session from 'express-session';

const app = express();
app.use(
  session({
    secret: 'corpus-not-a-secret',
    resave: false,
    saveUninitialized: false,
    cookie: { maxAge: 24 * 60 * 60 * 1000, sameSite: 'lax', httpOnly: true },
  }),
);

app.get('/products/:id', (req, res) => {
  res.json({ id: req.params.id, seenBefore: Boolean(req.session.lastProduct) });
});

app.listen(Number(process.env.PORT) || 3000, process.env.HOST || '127.0.0.1');
