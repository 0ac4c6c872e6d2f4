import { HIGHLIGHT_START, HIGHLIGHT_STOP } from '@desk/contracts';
import { Fragment } from 'react';

export type Segment = { text: string; marked: boolean };

/** Splits the server's «marked» text into plain and marked runs. Pure text in, text out. */
export function splitHighlight(s: string): Segment[] {
  const out: Segment[] = [];
  let rest = s;
  while (rest.length > 0) {
    const start = rest.indexOf(HIGHLIGHT_START);
    if (start < 0) break;
    const stop = rest.indexOf(HIGHLIGHT_STOP, start + 1);
    if (stop < 0) break;
    if (start > 0) out.push({ text: rest.slice(0, start), marked: false });
    out.push({ text: rest.slice(start + HIGHLIGHT_START.length, stop), marked: true });
    rest = rest.slice(stop + HIGHLIGHT_STOP.length);
  }
  if (rest) out.push({ text: rest, marked: false });
  return out;
}

/** Marked runs become <mark> elements holding React text nodes: markup in a message stays text. */
export function Highlight({ text }: { text: string }) {
  return (
    <>
      {splitHighlight(text).map((seg, i) => (seg.marked ? <mark key={i}>{seg.text}</mark> : <Fragment key={i}>{seg.text}</Fragment>))}
    </>
  );
}
