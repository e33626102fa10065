import { BenchService } from '../common/bench-service.ts';

/** The sink service for the bench (see bench/common/bench-service.ts). */
export class SinkProcess extends BenchService {
  constructor(config: Record<string, unknown>, port: number) {
    super('sink', config, port);
  }
}
