import pino from 'pino';
import { ImageUnreachableError } from '@stylestream/storage';
import { searchErrorFilter } from './search-error.mapping';

describe('searchErrorFilter: query URLs that cannot be fetched', () => {
  const filter = searchErrorFilter(pino({ level: 'silent' }));
  const systemError = (code: string): Error => Object.assign(new Error(`getaddrinfo ${code} x.example`), { code });

  it('answers 422 for a host DNS does not know (the URL is wrong) and 502 for a host that fails', () => {
    const unknownHost = filter.toResponse(new ImageUnreachableError('https://x.example/', 'request failed: getaddrinfo ENOTFOUND x.example', systemError('ENOTFOUND')));
    const refused = filter.toResponse(new ImageUnreachableError('http://127.0.0.1:9/', 'request failed: connect ECONNREFUSED', systemError('ECONNREFUSED')));
    const timedOut = filter.toResponse(new ImageUnreachableError('http://127.0.0.1:9/', 'timed out after 5000 ms'));
    expect([unknownHost[0], unknownHost[1].error, unknownHost[1].reason]).toEqual([422, 'image_host_unknown', 'https://x.example/: request failed: getaddrinfo ENOTFOUND x.example']);
    expect([refused[0], refused[1].error, refused[1].retriable, timedOut[0]]).toEqual([502, 'image_unreachable', true, 502]);
  });
});
