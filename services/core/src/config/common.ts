import { z } from 'zod';
import { READY_GRACE_MS } from '../health/progress.ts';

/** Config pieces shared by capture and sink. */
export const mysqlUrl = z
  .string()
  .refine((s) => /^mysql:\/\//.test(s) && URL.canParse(s), 'expected a URL like mysql://user:password@host:3306/');

export const kafkaSection = z.object({
  brokers: z.array(z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port')).min(1),
  clientId: z.string().default('sluice'),
});

export const registrySection = z.object({
  url: z.string().url(),
});

export const httpSection = z.object({
  port: z.number().int().min(0).max(65535).default(0),
  host: z.string().default('127.0.0.1'),
  /** How long a component (Kafka, target, registry, source) may fail before /readyz answers 503. */
  readyGraceMs: z.number().int().min(0).max(600_000).default(READY_GRACE_MS),
});

/** The http section when the file has none. */
export const HTTP_DEFAULTS = { port: 0, host: '127.0.0.1', readyGraceMs: READY_GRACE_MS };

export const topicPrefix = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only (it starts every topic name)')
  // Leaves a topic name (at most 249 characters) room for both names of a table: docs/limits.md.
  .max(100)
  .default('sluice');
