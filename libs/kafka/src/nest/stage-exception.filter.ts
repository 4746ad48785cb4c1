import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';

/**
 * Nest's default RPC exception filter replaces any thrown error with
 * `{ status: 'error', message: 'Internal server error' }`, erasing its class
 * and `retriable` flag. With this filter on a stage controller
 * (`@UseFilters(new StageExceptionFilter())`), a thrown error reaches the
 * transport unchanged and is retried or dead-lettered by its class.
 */
@Catch()
export class StageExceptionFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}
