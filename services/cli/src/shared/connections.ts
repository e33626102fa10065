import {
  insecureSettings,
  type KafkaConnection,
  type MysqlEndpoint,
  type RegistryEndpoint,
  type SaslSettings,
  type TlsSettings,
} from '@sluice/core';

/**
 * How the CLI connects to what the services' config files (--capture-config, --sink-config) name:
 * with the file's TLS, its SASL login and its passwords kept outside URLs (passwordFile, the
 * SLUICE_*_PASSWORD variables), as the service itself does. Looked up by the URL (or broker list)
 * the command ends up with: one given otherwise (a flag, a SLUICE_* URL, .stack/stack.env) that the
 * files do not name connects as written.
 */
const mysqlByUrl = new Map<string, MysqlEndpoint>();
const kafkaByBrokers = new Map<string, KafkaConnection>();
const registryByUrl = new Map<string, RegistryEndpoint>();

interface ServiceConnections {
  source?: MysqlEndpoint;
  target?: MysqlEndpoint;
  kafka: { brokers: string[]; tls?: TlsSettings; sasl?: SaslSettings };
  schemaRegistry: RegistryEndpoint;
}

/** Notes the connections of a loaded service config, and warns on stderr about what it weakens (skip-verify...). */
export function rememberConnections(cfg: ServiceConnections): void {
  for (const m of [cfg.source, cfg.target]) if (m) mysqlByUrl.set(m.url, m);
  const { brokers, tls, sasl } = cfg.kafka;
  kafkaByBrokers.set(brokers.join(','), { brokers, tls, sasl });
  registryByUrl.set(cfg.schemaRegistry.url, cfg.schemaRegistry);
  for (const w of insecureSettings(cfg)) process.stderr.write(`sluice: warning: ${w}\n`);
}

/** A source or target URL with the TLS and password its config file gives it, if one does. */
export const mysqlConnection = (url: string): string | MysqlEndpoint => mysqlByUrl.get(url) ?? url;

/** The brokers with the TLS and SASL login of the config file that names them, if one does. */
export const kafkaConnection = (brokers: string[]): KafkaConnection => kafkaByBrokers.get(brokers.join(',')) ?? { brokers };

/** The registry URL with the credentials and TLS of the config file that names it, if one does. */
export const registryConnection = (url: string): string | RegistryEndpoint => registryByUrl.get(url) ?? url;
