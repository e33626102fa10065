export * from './admin.ts';
export * from './client.ts';
export * from './consumer.ts';
export * from './producer.ts';
export * from './records.ts';
