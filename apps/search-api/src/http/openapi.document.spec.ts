import type { OpenAPIObject } from '@nestjs/swagger';
import { declareMiddlewareAnswers } from './openapi.document';

describe('declareMiddlewareAnswers', () => {
  const document = (): OpenAPIObject => ({
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: {
      '/v1/images': { get: { responses: { '200': { description: 'ok' } } } },
      '/v1/search/vector': { post: { security: [{ 'api-key': [] }], responses: { '200': { description: 'ok' }, '400': { description: 'own 400' } } } },
      '/healthz': { get: { responses: { '200': { description: 'ok' } } } },
    },
  });

  it('puts the key check and rate limit on every /v1 operation and the body answers on POSTs, keeping what is declared', () => {
    const paths = declareMiddlewareAnswers(document()).paths;
    const images = paths['/v1/images']?.get;
    const vector = paths['/v1/search/vector']?.post;
    expect([images?.security, Object.keys(images?.responses ?? {}).sort()]).toEqual([[{ 'api-key': [] }], ['200', '401', '429']]);
    expect([vector?.security, Object.keys(vector?.responses ?? {}).sort(), vector?.responses['400']]).toEqual([[{ 'api-key': [] }], ['200', '400', '401', '413', '415', '429'], { description: 'own 400' }]);
    expect(paths['/healthz']?.get).toEqual({ responses: { '200': { description: 'ok' } } });
  });
});
