// Minimal HTTP clients in the shape of the libraries the production code uses: an axios-like
// API client with response interceptors, and a DynamoDB-like document client.
import http from 'node:http';

const sharedAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });

function postJson(url, body, headers, timeoutMs) {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(
      url,
      {
        method: 'POST',
        agent: sharedAgent,
        timeout: timeoutMs,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          let data = null;
          try {
            data = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            // keep null: callers check the status first
          }
          resolve({ status: res.statusCode, data });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** An axios-like client: base URL, default headers, response interceptors. */
class ApiClient {
  constructor({ baseURL, timeout = 30000, headers = {} }) {
    this.defaults = { baseURL, timeout, headers };
    this.interceptors = { response: [] };
    this.paused = false;
  }

  useResponseInterceptor(onFulfilled, onRejected) {
    this.interceptors.response.push({ onFulfilled, onRejected });
    return this.interceptors.response.length - 1;
  }

  async post(path, body, { headers = {} } = {}) {
    let outcome;
    try {
      const response = await postJson(
        new URL(path, this.defaults.baseURL),
        body,
        { ...this.defaults.headers, ...headers },
        this.defaults.timeout,
      );
      if (response.status >= 400) {
        const error = new Error(`request failed with status ${response.status}`);
        error.config = { url: path, data: JSON.stringify(body), headers };
        error.response = response;
        throw error;
      }
      outcome = Promise.resolve(response);
    } catch (error) {
      outcome = Promise.reject(error);
    }
    for (const { onFulfilled, onRejected } of this.interceptors.response)
      outcome = outcome.then(onFulfilled, onRejected);
    return outcome;
  }

  pause() {
    this.paused = true;
  }
}

/** A DynamoDB-DocumentClient-like wrapper over the document store: `query(...).promise()`. */
class DocumentClient {
  constructor({ endpoint }) {
    this.endpoint = endpoint;
  }

  query(params) {
    const studentId = params.ExpressionAttributeValues[':sid'];
    return { promise: () => this.call('/query', { table: params.TableName, studentId }) };
  }

  put(params) {
    return {
      promise: () =>
        this.call('/put', {
          table: params.TableName,
          studentId: params.Item.studentId,
          result: params.Item.result,
        }),
    };
  }

  async call(path, body) {
    const response = await postJson(new URL(path, this.endpoint), body, {}, 10000);
    if (response.status !== 200) throw new Error(`document store answered ${response.status}`);
    return response.data;
  }
}

export { ApiClient, DocumentClient, sharedAgent };
