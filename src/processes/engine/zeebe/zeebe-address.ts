import { InvalidEngineInputError } from '../process-engine';

/** Zeebe's gateway listens for gRPC on this port unless told otherwise. */
export const DEFAULT_ZEEBE_GATEWAY_PORT = 26_500;

export interface ZeebeAddress {
  host: string;
  port: number;
  /** `zeebes://` asks for TLS; `zeebe://` is plaintext, as a local or in-cluster gateway speaks. */
  tls: boolean;
  /** The address as the SDK's ZEEBE_GRPC_ADDRESS takes it: `grpc://host:port` or `grpcs://host:port`. */
  grpcAddress: string;
}

/**
 * Reads `zeebe://HOST[:PORT]` (plaintext) or `zeebes://HOST[:PORT]` (TLS). Credentials, paths and queries are
 * refused rather than ignored: a client secret belongs in the options, not in a URL that ends up in logs.
 */
export function parseZeebeAddress(address: string): ZeebeAddress {
  const match = /^(zeebes?):\/\/(.*)$/.exec(address);
  if (!match) throw new InvalidEngineInputError(`"${address}" is not a Zeebe address: write zeebe://HOST:26500 (plaintext) or zeebes://HOST:PORT (TLS)`);
  const [, scheme, rest] = match;
  let url: URL;
  try {
    url = new URL(`${scheme}://${rest}`);
  } catch {
    throw new InvalidEngineInputError(`"${address}" is not a Zeebe address: the host or port cannot be read`);
  }
  if (url.username || url.password) throw new InvalidEngineInputError(`"${address}" carries credentials: pass clientId and clientSecret as options instead`);
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) {
    throw new InvalidEngineInputError(`"${address}" has a path, query or fragment: a Zeebe address is only zeebe://HOST:PORT`);
  }
  if (url.hostname === '') throw new InvalidEngineInputError(`"${address}" names no host`);
  const port = url.port === '' ? DEFAULT_ZEEBE_GATEWAY_PORT : Number(url.port);
  if (port === 0) throw new InvalidEngineInputError(`"${address}" names port 0: give the gateway's port (26500 by default)`);
  const tls = scheme === 'zeebes';
  // URL keeps IPv6 literals in brackets, which is also how gRPC wants them in a target.
  const hostPort = `${url.hostname}:${port}`;
  return { host: url.hostname, port, tls, grpcAddress: `${tls ? 'grpcs' : 'grpc'}://${hostPort}` };
}
