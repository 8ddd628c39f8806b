import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createRemoteSchemas, UNREACHABLE_SCHEMA_STANDIN } from '../../../src/core/schemas/remote';

// A schema server on 127.0.0.1 stands for the schema hosts: no network is needed.
async function schemaServer(): Promise<{ base: string; hits: Map<string, number>; close(): Promise<void> }> {
  const hits = new Map<string, number>();
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((request, response) => {
    const url = request.url ?? '';
    hits.set(url, (hits.get(url) ?? 0) + 1);
    if (url === '/kustomization.json') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"type":"object","required":["resources"]}');
    } else if (url === '/hangs.json') {
      hanging.push(response); // answers nothing until the server closes
    } else {
      response.writeHead(404);
      response.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise((resolve) => {
        for (const response of hanging) response.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: one the system gave us, closed again. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('a schema that can be fetched is returned as served, and fetched once', async () => {
  const server = await schemaServer();
  try {
    const logs: string[] = [];
    const schemas = createRemoteSchemas({ log: (line) => logs.push(line) });
    const url = `${server.base}/kustomization.json`;
    const [first, second] = await Promise.all([schemas.content(url), schemas.content(url)]);
    assert.equal(first, '{"type":"object","required":["resources"]}');
    assert.equal(second, first);
    assert.equal(await schemas.content(url), first);
    assert.equal(server.hits.get('/kustomization.json'), 1);
    assert.deepEqual(logs, []);
  } finally {
    await server.close();
  }
});

test('a schema that cannot be fetched (404, refused, timeout) becomes the Flux stand-in with one log line per URL', async () => {
  const server = await schemaServer();
  try {
    const logs: string[] = [];
    const schemas = createRemoteSchemas({ log: (line) => logs.push(line), timeoutMs: 300 });
    const urls = [
      `${server.base}/missing.json`,
      `http://127.0.0.1:${await closedPort()}/refused.json`,
      `${server.base}/hangs.json`,
    ];
    for (let round = 0; round < 2; round++) {
      for (const url of urls) assert.equal(await schemas.content(url), UNREACHABLE_SCHEMA_STANDIN, url);
    }
    assert.deepEqual(JSON.parse(UNREACHABLE_SCHEMA_STANDIN), {
      $ref: 'flux-gitops-schema://schemas/all.json',
    });
    assert.equal(logs.length, 3, logs.join('\n'));
    assert.match(logs[0] ?? '', /\/missing\.json .*HTTP 404/);
    assert.match(logs[1] ?? '', /\/refused\.json .*ECONNREFUSED/);
    assert.match(logs[2] ?? '', /\/hangs\.json .*timed out/);
    // Within the retry delay an unreachable URL is not asked again.
    assert.equal(server.hits.get('/missing.json'), 1);
  } finally {
    await server.close();
  }
});

test('an unreachable schema is not asked again before the retry delay, and is asked again after it', async () => {
  let clock = 0;
  const server = await schemaServer();
  try {
    const logs: string[] = [];
    const schemas = createRemoteSchemas({
      log: (line) => logs.push(line),
      retryAfterMs: 1000,
      now: () => clock,
    });
    const url = `${server.base}/missing.json`;
    assert.equal(await schemas.content(url), UNREACHABLE_SCHEMA_STANDIN);
    clock = 500;
    assert.equal(await schemas.content(url), UNREACHABLE_SCHEMA_STANDIN);
    assert.equal(server.hits.get('/missing.json'), 1);
    clock = 1500;
    assert.equal(await schemas.content(url), UNREACHABLE_SCHEMA_STANDIN);
    assert.equal(server.hits.get('/missing.json'), 2);
    assert.equal(logs.length, 1, 'the same URL is logged once');
  } finally {
    await server.close();
  }
});
