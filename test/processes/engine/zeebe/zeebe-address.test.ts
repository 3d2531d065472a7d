import { InvalidEngineInputError } from '../../../../src/processes/engine';
import { parseZeebeAddress } from '../../../../src/processes/engine/zeebe/zeebe-address';

describe('Zeebe addresses', () => {
  it('read zeebe:// as plaintext and zeebes:// as TLS, on port 26500 unless told', () => {
    expect(parseZeebeAddress('zeebe://localhost:26500')).toEqual({ host: 'localhost', port: 26_500, tls: false, grpcAddress: 'grpc://localhost:26500' });
    expect(parseZeebeAddress('zeebe://zeebe-gateway')).toEqual({ host: 'zeebe-gateway', port: 26_500, tls: false, grpcAddress: 'grpc://zeebe-gateway:26500' });
    expect(parseZeebeAddress('zeebes://abc.bru-2.zeebe.camunda.io:443')).toEqual({ host: 'abc.bru-2.zeebe.camunda.io', port: 443, tls: true, grpcAddress: 'grpcs://abc.bru-2.zeebe.camunda.io:443' });
    expect(parseZeebeAddress('zeebe://[::1]:26501')).toMatchObject({ host: '[::1]', port: 26_501, grpcAddress: 'grpc://[::1]:26501' });
    expect(parseZeebeAddress('zeebe://127.0.0.1:26500/').port).toBe(26_500);
  });

  it('refuse what is not a gateway address, saying what to write', () => {
    const refusals: [string, RegExp][] = [
      ['localhost:26500', /zeebe:\/\/HOST:26500/],
      ['grpc://localhost:26500', /zeebe:\/\/HOST:26500/],
      ['http://localhost:26500', /zeebe:\/\/HOST:26500/],
      ['zeebe://localhost:99999', /cannot be read/],
      ['zeebe://localhost:port', /cannot be read/],
      ['zeebe://:26500', /cannot be read/],
      ['zeebe://localhost:0', /port 0/],
      ['zeebe://client:secret@localhost:26500', /clientId and clientSecret as options/],
      ['zeebe://localhost:26500/partition/1', /path, query or fragment/],
      ['zeebe://localhost:26500?tls=true', /path, query or fragment/],
    ];
    for (const [address, reason] of refusals) {
      expect(() => parseZeebeAddress(address)).toThrow(InvalidEngineInputError);
      expect(() => parseZeebeAddress(address)).toThrow(reason);
    }
  });
});
