// Healthy: Express's hello world with a route parameter. Nothing is kept between requests.
import express from 'express';

const app = express();

app.get('/hello/:name', (req, res) => {
  res.send(`Hello ${req.params.name}!`);
});

app.listen(Number(process.env.PORT) || 3000, process.env.HOST || '127.0.0.1');
