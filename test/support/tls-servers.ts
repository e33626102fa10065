import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;

/**
 * The TLS test servers of deploy/local/components/tls.sh: a MariaDB that requires TLS and a Kafka
 * broker with SASL_SSL (SCRAM-SHA-512 and PLAIN), and the CA and certificates they use. Started
 * when they do not run (about 10 s; then stopped by `make down`), only checked when they do.
 */
export interface TlsServers {
  dir: string;
  ca: string;
  /** A CA that signed nothing here: a server checked against it is not trusted. */
  otherCa: string;
  clientCert: string;
  clientKey: string;
  serverCert: string;
  serverKey: string;
  mariadbPort: number;
  kafkaBrokers: string[];
  /** Files holding the generated passwords, by name (mariadb-admin, mariadb-sluice, mariadb-sink, kafka-sluice, kafka-plain). */
  passwordFile(name: string): string;
  password(name: string): string;
}

export function startTlsServers(): TlsServers {
  execFileSync('bash', [join(root, 'deploy/local/components/tls.sh'), 'start'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 180_000,
  });
  const dir = join(root, '.stack/tls');
  const env: Record<string, string> = {};
  for (const line of readFileSync(join(dir, 'tls.env'), 'utf8').split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1] as string] = m[2] as string;
  }
  const need = (k: string): string => {
    const v = env[k];
    if (!v) throw new Error(`${k} missing from ${dir}/tls.env`);
    return v;
  };
  const passwordFile = (name: string) => join(dir, `${name}.password`);
  return {
    dir,
    ca: need('TLS_CA'),
    otherCa: need('TLS_OTHER_CA'),
    clientCert: need('TLS_CLIENT_CERT'),
    clientKey: need('TLS_CLIENT_KEY'),
    serverCert: need('TLS_SERVER_CERT'),
    serverKey: need('TLS_SERVER_KEY'),
    mariadbPort: Number(need('TLS_MARIADB_PORT')),
    kafkaBrokers: need('TLS_KAFKA_BROKERS').split(','),
    passwordFile,
    password: (name) => readFileSync(passwordFile(name), 'utf8').trim(),
  };
}
