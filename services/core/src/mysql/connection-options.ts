import type { ConnectionOptions } from 'mysql2';
import { type PasswordFields, passwordOf } from '../config/secret.ts';
import type { TlsSettings } from '../config/tls.ts';
import { mysqlSslOptions } from '../net/tls-options.ts';

/**
 * A MySQL-family server as the config gives it (config/common.ts mysqlEndpoint): a URL, and
 * optionally TLS and a password kept out of the URL (which then replaces the URL's).
 */
export interface MysqlEndpoint extends PasswordFields {
  url: string;
  tls?: TlsSettings;
}

/**
 * mysql://user:password@host:port/[database] (or an endpoint: a URL with its TLS and password) ->
 * mysql2 options. Row values are kept exact:
 * DECIMAL and BIGINT as strings, dates as strings, JSON as text, GEOMETRY as its stored bytes, and the session zone is UTC so
 * TIMESTAMP values are never shifted by the client's zone.
 */
export function mysqlOptionsFromUrl(endpoint: string | MysqlEndpoint): ConnectionOptions {
  const e = typeof endpoint === 'string' ? { url: endpoint } : endpoint;
  const u = new URL(e.url);
  const password = passwordOf(e);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username),
    password: password ? password.reveal() : decodeURIComponent(u.password),
    database: u.pathname.replace(/^\//, '') || undefined,
    ...(e.tls ? { ssl: mysqlSslOptions(e.tls) } : {}),
    charset: 'utf8mb4_general_ci',
    timezone: 'Z',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    jsonStrings: true,
    // GEOMETRY as stored (SRID + WKB), not mysql2's parsed points, which lose the SRID and WKB type.
    typeCast: (field, next) => (field.type === 'GEOMETRY' ? field.buffer() : next()),
  };
}

/** host:port of an endpoint, for messages (never its credentials). */
export function mysqlAddress(endpoint: string | MysqlEndpoint): string {
  const u = new URL(typeof endpoint === 'string' ? endpoint : endpoint.url);
  return `${u.hostname}:${u.port || 3306}`;
}

/**
 * For sessions that write copies of source rows: accept the zero and partial-zero dates the
 * source kept (MySQL 8 and TiDB refuse them by default), leaving every other mode as it is.
 */
export const ALLOW_ZERO_DATES_SQL =
  "SET SESSION sql_mode = TRIM(BOTH ',' FROM REPLACE(REPLACE(REPLACE(REPLACE(@@SESSION.sql_mode, 'NO_ZERO_IN_DATE', ''), 'NO_ZERO_DATE', ''), ',,', ','), ',,', ','))";

/** A SQL identifier quoted for MySQL-family servers: backticks, with inner backticks doubled. */
export function quoteIdent(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

export const qualified = (db: string, table: string): string => `${quoteIdent(db)}.${quoteIdent(table)}`;
