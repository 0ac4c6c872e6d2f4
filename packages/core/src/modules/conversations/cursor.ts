import { BadRequestException } from '@nestjs/common';

/** Keyset cursors are opaque base64url JSON arrays of the sort key of the last row. */
export function encodeCursor(values: Array<string | number | null>): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): Array<string | number | null> {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === arity) return v as Array<string | number | null>;
  } catch {
    /* fall through */
  }
  throw new BadRequestException('cursor: malformed');
}
