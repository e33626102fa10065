import { describe, expect, it } from 'vitest';
import { addedFill } from './added-fill.ts';
import { columnChanges } from './column-changes.ts';

describe('addedFill', () => {
  it('reads literal defaults as the old rows got them', () => {
    expect(addedFill('INT DEFAULT 5')).toEqual({ kind: 'text', value: '5' });
    expect(addedFill('DECIMAL(8,2) NOT NULL DEFAULT -1.5 COMMENT "x"')).toEqual({ kind: 'text', value: '-1.5' });
    expect(addedFill("VARCHAR(20) DEFAULT 'it''s \\\\ \\n'")).toEqual({ kind: 'text', value: "it's \\ \n" });
    expect(addedFill("VARCHAR(20) CHARACTER SET utf8mb4 DEFAULT _utf8mb4'é' NOT NULL")).toEqual({ kind: 'text', value: 'é' });
    expect(addedFill("VARBINARY(4) DEFAULT X'00ff'")).toEqual({ kind: 'bytes', hex: '00ff' });
    expect(addedFill('TINYINT(1) NOT NULL DEFAULT TRUE')).toEqual({ kind: 'text', value: '1' });
    expect(addedFill('INT NULL DEFAULT NULL')).toEqual({ kind: 'null' });
  });

  it('gives NULL for a nullable column without DEFAULT, and nothing where the server computes the value', () => {
    expect(addedFill('INT')).toEqual({ kind: 'null' });
    expect(addedFill("VARCHAR(9) COMMENT 'DEFAULT 7'")).toEqual({ kind: 'null' });
    expect(addedFill('INT NOT NULL')).toBeUndefined();
    expect(addedFill('DATETIME DEFAULT CURRENT_TIMESTAMP')).toBeUndefined();
    expect(addedFill('INT DEFAULT (1 + 1)')).toBeUndefined();
    expect(addedFill("ENUM('DEFAULT', 'b') DEFAULT 'b'")).toEqual({ kind: 'text', value: 'b' });
  });

  it('takes each added column definition from the ALTER statement', () => {
    const c = columnChanges(
      "ALTER TABLE t ADD COLUMN n INT DEFAULT 5 AFTER a, ADD (`m x` VARCHAR(3) NOT NULL DEFAULT 'q', k INT)",
    );
    expect(c?.addDefinitions?.map((d) => [d.name, addedFill(d.definition)])).toEqual([
      ['n', { kind: 'text', value: '5' }],
      ['m x', { kind: 'text', value: 'q' }],
      ['k', { kind: 'null' }],
    ]);
  });
});
