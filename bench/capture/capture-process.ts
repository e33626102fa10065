import { BenchService } from '../common/bench-service.ts';

/** The capture service for the bench (see bench/common/bench-service.ts). */
export class CaptureProcess extends BenchService {
  constructor(config: Record<string, unknown>, port: number) {
    super('capture', config, port);
  }
}
