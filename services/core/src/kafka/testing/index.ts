export * from './fake-admin.ts';
export * from './fake-consumer.ts';
export * from './fake-kafka.ts';
export * from './fake-producer.ts';
