import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ReportGroupBy, SlaReport, SlaReportQuery, SlaReportRow } from '@desk/contracts';

/** The column a thread is grouped by. Agent = the thread's current assignee (clocks do not record who met them). */
const GROUP_COLUMN: Record<ReportGroupBy, string> = { inbox: 't.inbox_id', team: 't.team_id', agent: 't.assignee_id' };
const LABEL_TABLE: Record<ReportGroupBy, { table: string; none: string }> = {
  inbox: { table: 'inboxes', none: '(no inbox)' },
  team: { table: 'teams', none: '(no team)' },
  agent: { table: 'agents', none: '(unassigned)' },
};

interface ClockStats {
  key: string | null;
  met: number;
  breaches: number;
  fr_p50: number | null;
  fr_p90: number | null;
  nr_p50: number | null;
  nr_p90: number | null;
  by_person: number;
}

/**
 * SLA reports over [from, to). A response clock (first or next response) counts where it ended:
 * met when met in the range, breached when it breached in the range (a breached clock answered
 * later stays a breach). Durations are metAt − startedAt in wall-clock seconds, late answers
 * included; medians and p90 are Postgres `percentile_cont` (interpolated).
 */
@Injectable()
export class ReportsService {
  constructor(private readonly ds: DataSource) {}

  async sla(q: SlaReportQuery): Promise<SlaReport> {
    const from = new Date(q.from);
    const to = new Date(q.to);
    const grp = GROUP_COLUMN[q.groupBy];
    const inRange = (col: string) => `(${col} >= $1 AND ${col} < $2)`;
    const met = inRange('s.met_at');
    const breached = `(s.status = 'breached' AND ${inRange('COALESCE(s.breached_at, s.due_at)')})`;
    const secs = `extract(epoch FROM s.met_at - s.started_at)::float8`;

    const clocks: ClockStats[] = await this.ds.query(
      `SELECT ${grp} AS key,
              count(*) FILTER (WHERE s.status = 'met' AND ${met})::int AS met,
              count(*) FILTER (WHERE ${breached})::int AS breaches,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY ${secs}) FILTER (WHERE s.metric = 'first_response' AND ${met}) AS fr_p50,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY ${secs}) FILTER (WHERE s.metric = 'first_response' AND ${met}) AS fr_p90,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY ${secs}) FILTER (WHERE s.metric = 'next_response' AND ${met}) AS nr_p50,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY ${secs}) FILTER (WHERE s.metric = 'next_response' AND ${met}) AS nr_p90,
              count(DISTINCT s.thread_id) FILTER (WHERE s.metric = 'first_response' AND ${met})::int AS by_person
         FROM sla_clocks s JOIN threads t ON t.id = s.thread_id
        WHERE s.metric IN ('first_response', 'next_response') AND (${met} OR ${breached})
        GROUP BY 1`,
      [from, to],
    );
    // auto-acknowledgements are outbound messages marked metadata.autoAck = true
    const autos: Array<{ key: string | null; auto: number }> = await this.ds.query(
      `SELECT ${grp} AS key, count(DISTINCT m.thread_id)::int AS auto
         FROM messages m JOIN threads t ON t.id = m.thread_id
        WHERE m.direction = 'outbound' AND m.metadata @> '{"autoAck": true}'::jsonb AND ${inRange('m.created_at')}
        GROUP BY 1`,
      [from, to],
    );

    const rows = new Map<string | null, SlaReportRow>();
    const row = (key: string | null): SlaReportRow => {
      let r = rows.get(key);
      if (!r) {
        r = {
          key,
          label: '',
          compliancePercent: null,
          met: 0,
          breaches: 0,
          firstResponseMedianSeconds: null,
          firstResponseP90Seconds: null,
          nextResponseMedianSeconds: null,
          nextResponseP90Seconds: null,
          acknowledgedAutomatically: 0,
          acknowledgedByPerson: 0,
        };
        rows.set(key, r);
      }
      return r;
    };
    for (const c of clocks) {
      const r = row(c.key);
      r.met = c.met;
      r.breaches = c.breaches;
      r.compliancePercent = c.met + c.breaches > 0 ? round((100 * c.met) / (c.met + c.breaches), 2) : null;
      r.firstResponseMedianSeconds = num(c.fr_p50);
      r.firstResponseP90Seconds = num(c.fr_p90);
      r.nextResponseMedianSeconds = num(c.nr_p50);
      r.nextResponseP90Seconds = num(c.nr_p90);
      r.acknowledgedByPerson = c.by_person;
    }
    for (const a of autos) row(a.key).acknowledgedAutomatically = a.auto;

    const { table, none } = LABEL_TABLE[q.groupBy];
    const ids = [...rows.keys()].filter((k): k is string => k !== null);
    const names: Array<{ id: string; name: string }> = ids.length ? await this.ds.query(`SELECT id, name FROM ${table} WHERE id = ANY($1::uuid[])`, [ids]) : [];
    const nameOf = new Map(names.map((n) => [n.id, n.name]));
    for (const r of rows.values()) r.label = r.key === null ? none : (nameOf.get(r.key) ?? r.key);

    return {
      from: from.toISOString(),
      to: to.toISOString(),
      groupBy: q.groupBy,
      rows: [...rows.values()].sort((a, b) => a.label.localeCompare(b.label) || String(a.key).localeCompare(String(b.key))),
    };
  }
}

const num = (v: number | string | null) => (v === null ? null : round(Number(v), 3));
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
