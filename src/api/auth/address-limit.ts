import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { HttpProblem } from '../http/problem';
import { sendProblem } from '../http/problem-details.filter';
import type { RateLimits } from './rate-limits';

/** The first thing done for any request, before routing or reading its body: its address's rate. */
export function limitEveryAddress(app: NestFastifyApplication, limits: RateLimits): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (request, reply) => {
      try {
        limits.admitAddress(request.ip);
      } catch (error) {
        if (!(error instanceof HttpProblem)) throw error;
        await sendProblem(reply, error);
      }
    });
}
