// A proxy in front of the local S3 endpoint for tests that must see, or break, what a command
// asks of S3: each request is offered to `intercept`, which may answer it with an S3 error;
// every other request is passed on unchanged.
import {createServer, request, type IncomingMessage} from "node:http";
import type {AddressInfo} from "node:net";

/** An S3 error to answer with instead of passing the request on. */
export interface S3Fault {
  status: number;
  code: string;
}

export interface S3Proxy {
  /** The proxy's endpoint, to give a client in place of the upstream one. */
  endpoint: string;
  close(): void;
}

export async function startS3Proxy(upstreamEndpoint: string, intercept: (req: IncomingMessage) => S3Fault | null): Promise<S3Proxy> {
  const upstream = new URL(upstreamEndpoint);
  const server = createServer((req, res) => {
    const fault = intercept(req);
    if (fault) {
      req.resume();
      res.writeHead(fault.status, {"content-type": "application/xml"});
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.code}</Code><Message>injected by the test proxy</Message></Error>`);
      return;
    }
    const forward = request({host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers}, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close()};
}
